namespace FastS3.Api;

/// <summary>The server-managed encryption an object gets (x-amz-server-side-encryption, or a bucket's default).</summary>
public enum ServerSideAlgorithm : byte
{
    /// <summary>None: a plain object (or SSE-C, which the customer key headers ask for).</summary>
    None,

    /// <summary>SSE-S3, "AES256": under a key the server owns.</summary>
    Aes256,

    /// <summary>SSE-KMS, "aws:kms": under a named key of the KMS.</summary>
    AwsKms,
}
