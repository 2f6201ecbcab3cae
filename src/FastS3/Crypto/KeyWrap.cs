namespace FastS3.Crypto;

/// <summary>
/// What an object key is sealed under (docs/encryption-format.md §3 and §13): the wrapping key the
/// KEK is derived from, the KEK's label, and the seal's associated data. SSE-C wraps under the
/// customer key; SSE-S3 and SSE-KMS under a bucket key of the KMS, with their own labels and the
/// key id, version and encryption context bound in, so no seal can pass for another mode's.
/// </summary>
public readonly ref struct KeyWrap
{
    public KeyWrap(ReadOnlySpan<byte> key, ReadOnlySpan<byte> kekLabel, ReadOnlySpan<byte> sealData)
    {
        Key = key;
        KekLabel = kekLabel;
        SealData = sealData;
    }

    /// <summary>The 32-byte key the KEK is derived from.</summary>
    public ReadOnlySpan<byte> Key { get; }

    public ReadOnlySpan<byte> KekLabel { get; }

    /// <summary>The seal's GCM associated data.</summary>
    public ReadOnlySpan<byte> SealData { get; }

    /// <summary>The KEK label of SSE-S3 and SSE-KMS seals.</summary>
    public static ReadOnlySpan<byte> ServerKekLabel => "FastS3/SSE-KMS/v1/kek"u8;

    /// <summary>The start of an SSE-S3/KMS seal's associated data; the record's binding follows it.</summary>
    public static ReadOnlySpan<byte> ServerSealLabel => "FastS3/SSE-KMS/v1/sealed-key"u8;

    public static KeyWrap Customer(ReadOnlySpan<byte> clientKey) => new(clientKey, ObjectKey.KekLabel, ObjectKey.SealLabel);

    /// <summary>Under a KMS bucket key; <paramref name="sealData"/> is <see cref="ServerSealLabel"/> ‖ the binding.</summary>
    public static KeyWrap Server(ReadOnlySpan<byte> bucketKey, ReadOnlySpan<byte> sealData) => new(bucketKey, ServerKekLabel, sealData);
}
