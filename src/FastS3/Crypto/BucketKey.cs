using FastS3.Crypto.OpenSsl;

namespace FastS3.Crypto;

/// <summary>
/// An SSE-S3/KMS bucket key (docs/encryption-format.md §13.3): derived from one version of a KMS key
/// for one bucket, so every object of the bucket under that version is wrapped under it and a read
/// costs one AES unwrap, as S3 Bucket Keys make it. Derived, not drawn and stored: any node holding
/// the key ring gets the same key, and a new key version gives every bucket a new one.
/// <code>  bucketKey = HMAC-SHA256(version key, "FastS3/KMS/v1/bucket-key" ‖ bucket)</code>
/// </summary>
public static class BucketKey
{
    internal static ReadOnlySpan<byte> Label => "FastS3/KMS/v1/bucket-key"u8;

    public static void Derive(ReadOnlySpan<byte> versionKey, ReadOnlySpan<byte> bucket, Span<byte> bucketKey)
    {
        ObjectKey.CheckLength(versionKey.Length, ObjectKey.Size, nameof(versionKey));
        ObjectKey.CheckLength(bucketKey.Length, ObjectKey.Size, nameof(bucketKey));
        Span<byte> message = stackalloc byte[Label.Length + bucket.Length];
        Label.CopyTo(message);
        bucket.CopyTo(message[Label.Length..]);
        Sha256.Hmac(versionKey, message, bucketKey);
    }
}
