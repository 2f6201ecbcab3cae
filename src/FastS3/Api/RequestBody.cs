using System.Buffers;
using FastS3.Auth;
using FastS3.Basics;

namespace FastS3.Api;

/// <summary>
/// The body of a call that carries a small XML document (DeleteObjects, tagging): read whole within
/// its bound (beyond it, 400 MaxMessageLengthExceeded) and held to the Content-MD5 or
/// x-amz-checksum-* sent with it, which S3 requires for some calls (DeleteObjects, PutBucketTagging).
/// </summary>
internal static class RequestBody
{
    public static async ValueTask<(S3Error? Error, ReadOnlyMemory<byte> Body)> ReadVerifiedAsync(S3Call call, int maxSize, bool digestRequired)
    {
        if (call.Checksums.Parse(call.Request, trailers: false) is { } checksumError)
        {
            return (checksumError, default);
        }

        if (digestRequired && !call.Checksums.HasContentMd5 && !call.Checksums.HasExpectedChecksum)
        {
            return (S3Errors.MissingContentDigest, default);
        }

        var body = new ArrayBufferWriter<byte>();
        await call.Request.Body.ReadToEndAsync(body, maxSize);
        call.Hasher.Begin(call.Checksums, md5: false, sha256: call.Signature.Payload == PayloadMode.Sha256);
        call.Hasher.Append(body.WrittenSpan);
        call.Hasher.Finish();
        return (call.Hasher.Verify(call.Checksums, call.Signature.SignedPayloadSha256), body.WrittenMemory);
    }
}
