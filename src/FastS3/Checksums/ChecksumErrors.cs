using FastS3.Basics;

namespace FastS3.Checksums;

/// <summary>
/// The errors of Content-MD5 and the x-amz-checksum-* family, codes and messages as AWS S3 sends
/// them (several are per algorithm, so they are looked up rather than named one by one).
/// </summary>
public static class ChecksumErrors
{
    public static readonly S3Error MultipleChecksumHeaders = new(400, "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");

    /// <summary>A checksum header and a checksum trailer together (AWS's message is shorter here).</summary>
    public static readonly S3Error ChecksumHeaderAndTrailer = new(400, "InvalidRequest", "Expecting a single x-amz-checksum- header");
    public static readonly S3Error UnknownChecksumHeader = new(400, "InvalidRequest", "The algorithm type you specified in x-amz-checksum- header is invalid.");
    public static readonly S3Error TrailerWithoutTrailerStream = new(400, "InvalidRequest", "x-amz-trailer needs an aws-chunked body with trailers: x-amz-content-sha256 must be STREAMING-UNSIGNED-PAYLOAD-TRAILER or STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER.");
    public static readonly S3Error UnsupportedTrailer = new(400, "InvalidRequest", "The value specified in the x-amz-trailer header is not supported");
    public static readonly S3Error SdkAlgorithmWithoutChecksum = new(400, "InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
    public static readonly S3Error SdkAlgorithmMismatch = new(400, "InvalidRequest", "Value for x-amz-sdk-checksum-algorithm header is invalid.");
    public static readonly S3Error InvalidContentMd5 = new(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
    public static readonly S3Error ContentMd5Mismatch = new(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");

    private static readonly S3Error[] InvalidHeaderValues = PerAlgorithm(static (name, header) => new(400, "InvalidRequest", $"Value for {header} header is invalid."));
    private static readonly S3Error[] InvalidTrailerValues = PerAlgorithm(static (name, header) => new(400, "InvalidRequest", $"Value for {header} trailing header is invalid."));
    private static readonly S3Error[] Mismatches = PerAlgorithm(static (name, header) => new(400, "BadDigest", $"The {name} you specified did not match the calculated checksum."));

    /// <summary>The x-amz-checksum-* header is not base64 of a digest of the algorithm's size.</summary>
    public static S3Error InvalidHeaderValue(ChecksumAlgorithm algorithm) => InvalidHeaderValues[Index(algorithm)];

    /// <summary>The x-amz-checksum-* aws-chunked trailer is not base64 of a digest of the algorithm's size.</summary>
    public static S3Error InvalidTrailerValue(ChecksumAlgorithm algorithm) => InvalidTrailerValues[Index(algorithm)];

    /// <summary>The body's checksum differs from the one the client sent (BadDigest).</summary>
    public static S3Error Mismatch(ChecksumAlgorithm algorithm) => Mismatches[Index(algorithm)];

    private static int Index(ChecksumAlgorithm algorithm)
    {
        if (algorithm is <= ChecksumAlgorithm.None or > ChecksumAlgorithm.Sha256)
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm));
        }

        return (int)algorithm - 1;
    }

    private static S3Error[] PerAlgorithm(Func<string, string, S3Error> create)
    {
        var errors = new S3Error[(int)ChecksumAlgorithm.Sha256];
        for (var algorithm = ChecksumAlgorithm.Crc32; algorithm <= ChecksumAlgorithm.Sha256; algorithm++)
        {
            errors[Index(algorithm)] = create(System.Text.Encoding.ASCII.GetString(algorithm.Name), System.Text.Encoding.ASCII.GetString(algorithm.HeaderName));
        }

        return errors;
    }
}
