using System.Buffers.Text;
using System.Security.Cryptography;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;

namespace FastS3.Fuzz;

/// <summary>
/// The aws-chunked decoder behind the HTTP body, as PutObject drives it: x-amz-content-sha256 picks
/// the payload mode (unsigned with trailer, signed, signed with trailer), the checksum headers pick
/// the trailer, X-Amz-Decoded-Content-Length the expected length. Signed chunks chain from
/// <see cref="StreamSigning"/>. Expected outcomes: the decoded bytes and trailer checksum, an
/// <see cref="S3Exception"/>, or a <see cref="BadHttpRequestException"/> from the HTTP framing.
/// </summary>
internal static class AwsChunkedTarget
{
    /// <summary>Input: a control byte (how to split), then one HTTP request with an aws-chunked body.</summary>
    public static void Run(byte[] input)
    {
        if (input.Length > 0)
        {
            Connection.ServeBothWays(new DecodingApplication(), input[1..], input[0]);
        }
    }

    private sealed class DecodingApplication : TranscriptApplication
    {
        private readonly AwsChunkedReader _reader = new();
        private readonly ChecksumRequest _checksums = new();

        public override async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            request.Headers.TryGetValue("x-amz-content-sha256"u8, out ReadOnlySpan<byte> mode);
            SignatureContext signature = StreamSigning.Context(PayloadModeOf(mode));

            // A request whose checksum headers Put would refuse is still decoded, with the raw
            // x-amz-trailer, so the decoder sees every kind of declaration.
            S3Error? checksumError = _checksums.Parse(request, trailers: signature.Payload is PayloadMode.StreamingUnsignedTrailer or PayloadMode.StreamingSignedTrailer);
            request.Headers.TryGetValue("x-amz-trailer"u8, out ReadOnlySpan<byte> rawTrailer);
            ReadOnlySpan<byte> trailer = checksumError is null ? _checksums.TrailerName : rawTrailer;
            Transcript.Add($"{signature.Payload} checksums={checksumError?.Code ?? _checksums.Algorithm.ToString()} trailer=[{Text(trailer)}] declared={DeclaredLength(request)}");

            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            try
            {
                _reader.Start(request.Body, signature, DeclaredLength(request), trailer);
                while (true)
                {
                    var piece = await _reader.ReadAsync();
                    if (piece.IsEmpty)
                    {
                        break;
                    }

                    foreach (ReadOnlyMemory<byte> segment in piece)
                    {
                        sha.AppendData(segment.Span);
                    }
                }

                Transcript.Add($"decoded {_reader.DecodedLength} {Convert.ToHexStringLower(sha.GetHashAndReset())}");
                if (checksumError is null && _checksums.IsTrailer)
                {
                    bool found = _reader.TryGetTrailer(_checksums.TrailerName, out ReadOnlySpan<byte> value);
                    S3Error? trailerError = _checksums.SetTrailerChecksum(found, value);
                    Transcript.Add($"trailer {trailerError?.Code ?? Convert.ToHexStringLower(_checksums.ExpectedChecksum)}");
                }
            }
            catch (S3Exception ex)
            {
                Transcript.Add($"refused {ex.Error.Code} after {_reader.DecodedLength}");
            }
            catch (BadHttpRequestException ex)
            {
                Transcript.Add($"transport refused {ex.Reason} after {_reader.DecodedLength}");
                throw;
            }

            response.ContentLength = 0;
        }

        private static PayloadMode PayloadModeOf(ReadOnlySpan<byte> mode)
            => mode.SequenceEqual("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"u8) ? PayloadMode.StreamingSigned
                : mode.SequenceEqual("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"u8) ? PayloadMode.StreamingSignedTrailer
                : PayloadMode.StreamingUnsignedTrailer;

        // As Put reads it: a non-negative decimal, else unknown (-1).
        private static long DeclaredLength(HttpRequest request)
            => request.Headers.TryGetValue("x-amz-decoded-content-length"u8, out ReadOnlySpan<byte> value)
                && Utf8Parser.TryParse(value, out long length, out int consumed) && consumed == value.Length && length >= 0
                ? length
                : -1;
    }
}
