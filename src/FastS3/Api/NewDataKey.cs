using FastS3.Crypto;

namespace FastS3.Api;

/// <summary>
/// A new object's data key, to encrypt with, and the record field that keeps it sealed (seal
/// algorithm, IV, sealed key, and for SSE-S3/KMS the binding). <c>default</c> is a plain object. Disposing wipes the key.
/// </summary>
public readonly record struct NewDataKey(DataKey Key, byte[]? Field) : IDisposable
{
    public bool IsEmpty => Key.IsEmpty;

    /// <summary>Whether the ETag is the content's MD5, as S3 gives plain and SSE-S3 objects; SSE-C and SSE-KMS ones get a random one.</summary>
    public bool ETagIsMd5 => IsMd5ETagField(Field);

    /// <summary>Whether an object under encryption field <paramref name="field"/> (empty: plain) gets its content MD5 as ETag.</summary>
    public static bool IsMd5ETagField(ReadOnlySpan<byte> field) => field is [] or [ServerKeys.SseS3Algorithm, ..];

    public void Dispose() => Key.Dispose();
}
