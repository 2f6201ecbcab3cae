using System.Buffers.Text;
using System.Security.Cryptography;
using FastS3.Basics;
using FastS3.Crypto;
using FastS3.Http;

namespace FastS3.Api;

/// <summary>
/// The three x-amz-server-side-encryption-customer-* headers (or their x-amz-copy-source-… twins):
/// presence, validation in MinIO's order, and the response echo. The decoded key is written into
/// caller storage that the caller zeroes when the request ends; it is never logged or stored.
/// </summary>
public static class SseC
{
    public const int KeyLength = 32;
    public const int KeyMd5Length = 16;

    public static ReadOnlySpan<byte> AlgorithmHeader => "x-amz-server-side-encryption-customer-algorithm"u8;

    public static ReadOnlySpan<byte> KeyHeader => "x-amz-server-side-encryption-customer-key"u8;

    public static ReadOnlySpan<byte> KeyMd5Header => "x-amz-server-side-encryption-customer-key-MD5"u8;

    private static ReadOnlySpan<byte> CopySourcePrefix => "x-amz-copy-source-"u8;

    private static ReadOnlySpan<byte> Aes256 => "AES256"u8;

    /// <summary>True when any SSE-C header, for the object or for a copy source, is present.</summary>
    public static bool AnyPresent(HttpRequestHeaders headers)
    {
        foreach (HttpHeader header in headers)
        {
            if (StartsWith(header.Name, "x-amz-server-side-encryption-customer-"u8) || StartsWith(header.Name, "x-amz-copy-source-server-side-encryption-customer-"u8))
            {
                return true;
            }
        }

        return false;
    }

    private static bool StartsWith(ReadOnlySpan<byte> name, ReadOnlySpan<byte> prefix)
        => name.Length > prefix.Length && System.Text.Ascii.EqualsIgnoreCase(name[..prefix.Length], prefix);

    /// <summary>
    /// Reads the triple (the copy-source one when <paramref name="copySource"/>). <paramref name="present"/>
    /// is false when none of the three headers is there (not an error). Checks, in order: algorithm is
    /// AES256, key present, key MD5 present, key is 32 bytes of base64, MD5 matches.
    /// </summary>
    public static S3Error? Parse(HttpRequestHeaders headers, bool copySource, Span<byte> key, Span<byte> keyMd5, out bool present)
    {
        bool hasAlgorithm = TryGet(headers, copySource, AlgorithmHeader, out ReadOnlySpan<byte> algorithm);
        bool hasKey = TryGet(headers, copySource, KeyHeader, out ReadOnlySpan<byte> encodedKey);
        bool hasMd5 = TryGet(headers, copySource, KeyMd5Header, out ReadOnlySpan<byte> encodedMd5);
        present = hasAlgorithm || hasKey || hasMd5;
        if (!present)
        {
            return null;
        }

        if (!algorithm.SequenceEqual(Aes256))
        {
            return S3Errors.SseCAlgorithmInvalid;
        }

        if (encodedKey.IsEmpty)
        {
            return S3Errors.SseCKeyMissing;
        }

        if (encodedMd5.IsEmpty)
        {
            return S3Errors.SseCKeyMd5Missing;
        }

        Span<byte> decoded = stackalloc byte[Base64.GetMaxDecodedFromUtf8Length(Math.Min(encodedKey.Length, 256))];
        Span<byte> provided = stackalloc byte[24];
        try
        {
            if (encodedKey.Length > 256 || Base64.DecodeFromUtf8(encodedKey, decoded, out _, out int keyLength) != System.Buffers.OperationStatus.Done || keyLength != KeyLength)
            {
                return S3Errors.SseCKeyInvalid;
            }

            if (encodedMd5.Length > 24 || Base64.DecodeFromUtf8(encodedMd5, provided, out _, out int md5Length) != System.Buffers.OperationStatus.Done
                || md5Length != KeyMd5Length || !ClientKey.MatchesMd5(decoded[..KeyLength], provided[..KeyMd5Length]))
            {
                return S3Errors.SseCKeyMd5Mismatch;
            }

            decoded[..KeyLength].CopyTo(key);
            provided[..KeyMd5Length].CopyTo(keyMd5);
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
            CryptographicOperations.ZeroMemory(provided);
        }
    }

    /// <summary>Echoes algorithm and key MD5 on the response, as S3 does for PUT, GET and HEAD.</summary>
    public static void Echo(HttpResponse response, ReadOnlySpan<byte> keyMd5)
    {
        response.Headers.Add(AlgorithmHeader, Aes256);
        Span<byte> encoded = stackalloc byte[24];
        Base64.EncodeToUtf8(keyMd5, encoded, out _, out int written);
        response.Headers.Add(KeyMd5Header, encoded[..written]);
        CryptographicOperations.ZeroMemory(encoded);
    }

    private static bool TryGet(HttpRequestHeaders headers, bool copySource, ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if (!copySource)
        {
            return headers.TryGetValue(name, out value);
        }

        // x-amz-server-side-encryption-customer-* becomes x-amz-copy-source-server-side-encryption-customer-*.
        ReadOnlySpan<byte> rest = name["x-amz-"u8.Length..];
        Span<byte> prefixed = stackalloc byte[CopySourcePrefix.Length + rest.Length];
        CopySourcePrefix.CopyTo(prefixed);
        rest.CopyTo(prefixed[CopySourcePrefix.Length..]);
        return headers.TryGetValue(prefixed, out value);
    }
}
