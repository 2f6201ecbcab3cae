using System.Security.Cryptography;

namespace FastS3.Crypto;

/// <summary>The customer-provided key of an SSE-C request, after base64 decoding.</summary>
public static class ClientKey
{
    public const int Size = ObjectKey.Size;
    public const int Md5Size = 16;

    /// <summary>
    /// Whether <paramref name="md5"/> (the decoded x-amz-server-side-encryption-customer-key-MD5)
    /// is the MD5 of <paramref name="key"/>, compared in constant time.
    /// </summary>
    public static bool MatchesMd5(ReadOnlySpan<byte> key, ReadOnlySpan<byte> md5)
    {
        Span<byte> actual = stackalloc byte[Md5Size];
        MD5.HashData(key, actual);
        bool match = CryptographicOperations.FixedTimeEquals(actual, md5);
        CryptographicOperations.ZeroMemory(actual);
        return match;
    }
}
