using System.Text;
using FastS3.Basics;
using FastS3.Http;

namespace FastS3.Checksums;

/// <summary>
/// What a request declares about its body's integrity: Content-MD5, and at most one S3 checksum,
/// whose value comes in an x-amz-checksum-* header or, when x-amz-trailer names it, in the
/// aws-chunked trailer after the body. Validated the way AWS S3 does before the body is read, so
/// a bad request is refused before any byte is stored. One instance per connection, overwritten
/// by each <see cref="Parse"/>.
/// </summary>
public sealed class ChecksumRequest
{
    private const int Md5Length = 16;

    private readonly byte[] _expected = new byte[ChecksumAlgorithmExtensions.MaxDigestLength];
    private readonly byte[] _contentMd5 = new byte[Md5Length];

    /// <summary>The algorithm the client sent a checksum for (header or trailer), or None.</summary>
    public ChecksumAlgorithm Algorithm { get; private set; }

    /// <summary>True when the checksum value is promised in the aws-chunked trailer named <see cref="TrailerName"/>.</summary>
    public bool IsTrailer { get; private set; }

    /// <summary>True once the expected checksum is known: from the header at once, from the trailer after the body.</summary>
    public bool HasExpectedChecksum { get; private set; }

    /// <summary>The raw (big-endian) checksum the body must have; valid when <see cref="HasExpectedChecksum"/>.</summary>
    public ReadOnlySpan<byte> ExpectedChecksum => HasExpectedChecksum ? _expected.AsSpan(0, Algorithm.DigestLength) : default;

    /// <summary>The trailer to look up once the body has been read; empty unless <see cref="IsTrailer"/>.</summary>
    public ReadOnlySpan<byte> TrailerName => IsTrailer ? Algorithm.HeaderName : default;

    public bool HasContentMd5 { get; private set; }

    /// <summary>The 16 bytes of Content-MD5; valid when <see cref="HasContentMd5"/>.</summary>
    public ReadOnlySpan<byte> ContentMd5 => HasContentMd5 ? _contentMd5 : default;

    /// <summary>
    /// The checksum to compute over the body: the client's, else CRC64NVME, which AWS S3 has
    /// computed and stored for every object since 2025.
    /// </summary>
    public ChecksumAlgorithm ComputedAlgorithm => Algorithm == ChecksumAlgorithm.None ? ChecksumAlgorithm.Crc64Nvme : Algorithm;

    public void Reset()
    {
        Algorithm = ChecksumAlgorithm.None;
        IsTrailer = false;
        HasExpectedChecksum = false;
        HasContentMd5 = false;
    }

    /// <summary>
    /// Reads Content-MD5, x-amz-checksum-*, x-amz-trailer and x-amz-sdk-checksum-algorithm in one
    /// pass over the headers. Null when they are consistent; otherwise the S3 error to answer, with
    /// the codes and messages, and in the order, of OpenStack Swift's S3 layer, which is tested against AWS.
    /// <paramref name="trailers"/> says whether the body can carry a trailer at all (an aws-chunked
    /// body in a -TRAILER mode): a trailer promised by any other body is refused before it is read.
    /// </summary>
    public S3Error? Parse(HttpRequest request, bool trailers)
    {
        Reset();
        ReadOnlySpan<byte> prefix = "x-amz-checksum-"u8;
        int checksumHeaders = 0;
        bool unknownChecksumHeader = false;
        var headerAlgorithm = ChecksumAlgorithm.None;
        ReadOnlySpan<byte> checksumValue = default;
        bool hasSdkAlgorithm = false, hasTrailer = false, hasContentMd5 = false;
        ReadOnlySpan<byte> sdkAlgorithm = default, trailer = default, contentMd5 = default;

        foreach (HttpHeader header in request.Headers)
        {
            ReadOnlySpan<byte> name = header.Name;
            if (name.Length > prefix.Length && Ascii.EqualsIgnoreCase(name[..prefix.Length], prefix))
            {
                if (ChecksumAlgorithmExtensions.TryParseHeaderName(name, out ChecksumAlgorithm algorithm))
                {
                    checksumHeaders++;
                    headerAlgorithm = algorithm;
                    checksumValue = header.Value;
                }
                else
                {
                    unknownChecksumHeader |= !IsChecksumControlHeader(name[prefix.Length..]);
                }
            }
            else if (!hasSdkAlgorithm && Ascii.EqualsIgnoreCase(name, "x-amz-sdk-checksum-algorithm"u8))
            {
                hasSdkAlgorithm = true;
                sdkAlgorithm = header.Value;
            }
            else if (!hasTrailer && Ascii.EqualsIgnoreCase(name, "x-amz-trailer"u8))
            {
                hasTrailer = true;
                trailer = header.Value;
            }
            else if (!hasContentMd5 && Ascii.EqualsIgnoreCase(name, "content-md5"u8))
            {
                hasContentMd5 = true;
                contentMd5 = header.Value;
            }
        }

        if (hasContentMd5)
        {
            if (!DigestBase64.TryDecode(contentMd5, _contentMd5))
            {
                return ChecksumErrors.InvalidContentMd5;
            }

            HasContentMd5 = true;
        }

        if (unknownChecksumHeader)
        {
            return ChecksumErrors.UnknownChecksumHeader;
        }

        if (checksumHeaders > 1)
        {
            return ChecksumErrors.MultipleChecksumHeaders;
        }

        var trailerAlgorithm = ChecksumAlgorithm.None;
        if (hasTrailer && ParseTrailerDeclaration(trailer, out trailerAlgorithm) is { } trailerError)
        {
            return trailerError;
        }

        if (hasTrailer && !trailers)
        {
            return ChecksumErrors.TrailerWithoutTrailerStream;
        }

        if (headerAlgorithm != ChecksumAlgorithm.None)
        {
            if (trailerAlgorithm != ChecksumAlgorithm.None)
            {
                return ChecksumErrors.ChecksumHeaderAndTrailer;
            }

            if (!DigestBase64.TryDecode(checksumValue, _expected.AsSpan(0, headerAlgorithm.DigestLength)))
            {
                return ChecksumErrors.InvalidHeaderValue(headerAlgorithm);
            }

            Algorithm = headerAlgorithm;
            HasExpectedChecksum = true;
        }
        else if (trailerAlgorithm != ChecksumAlgorithm.None)
        {
            Algorithm = trailerAlgorithm;
            IsTrailer = true;
        }

        if (hasSdkAlgorithm)
        {
            // The SDK's algorithm only names what the header or trailer carries; alone it proves nothing.
            if (Algorithm == ChecksumAlgorithm.None)
            {
                return ChecksumErrors.SdkAlgorithmWithoutChecksum;
            }

            if (!Ascii.EqualsIgnoreCase(sdkAlgorithm, Algorithm.Name))
            {
                return ChecksumErrors.SdkAlgorithmMismatch;
            }
        }

        return null;
    }

    /// <summary>
    /// Takes the checksum promised by x-amz-trailer once the aws-chunked body has ended:
    /// <paramref name="found"/> says whether a trailer named <see cref="TrailerName"/> arrived, and
    /// <paramref name="value"/> is its base64. A promised trailer that never came is MalformedTrailerError.
    /// </summary>
    public S3Error? SetTrailerChecksum(bool found, ReadOnlySpan<byte> value)
    {
        if (!IsTrailer)
        {
            throw new InvalidOperationException("The request declared no checksum trailer.");
        }

        if (!found)
        {
            return S3Errors.MalformedTrailerError;
        }

        if (!DigestBase64.TryDecode(value, _expected.AsSpan(0, Algorithm.DigestLength)))
        {
            return ChecksumErrors.InvalidTrailerValue(Algorithm);
        }

        HasExpectedChecksum = true;
        return null;
    }

    /// <summary>x-amz-trailer lists trailer names; FastS3, like AWS, accepts exactly one, a known checksum.</summary>
    private static S3Error? ParseTrailerDeclaration(ReadOnlySpan<byte> value, out ChecksumAlgorithm algorithm)
    {
        algorithm = ChecksumAlgorithm.None;
        int declared = 0;
        foreach (Range range in value.Split((byte)','))
        {
            ReadOnlySpan<byte> name = value[range].Trim(" \t"u8);
            if (name.IsEmpty)
            {
                continue;
            }

            if (!ChecksumAlgorithmExtensions.TryParseHeaderName(name, out algorithm))
            {
                return ChecksumErrors.UnsupportedTrailer;
            }

            declared++;
        }

        return declared > 1 ? ChecksumErrors.MultipleChecksumHeaders : null;
    }

    /// <summary>x-amz-checksum-algorithm/-type/-mode share the prefix but carry no checksum value.</summary>
    private static bool IsChecksumControlHeader(ReadOnlySpan<byte> suffix)
        => Ascii.EqualsIgnoreCase(suffix, "algorithm"u8) || Ascii.EqualsIgnoreCase(suffix, "type"u8) || Ascii.EqualsIgnoreCase(suffix, "mode"u8);
}
