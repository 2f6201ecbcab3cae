using System.Security.Cryptography;
using FastS3.Basics;
using FastS3.Crypto.OpenSsl;

namespace FastS3.Crypto;

/// <summary>
/// The ETag of an SSE-C object: 32 lower-case hex digits of HMAC-SHA256(ETag subkey, 16 random
/// bytes) truncated to 16 bytes. It is never the plaintext MD5 (which would let anyone holding
/// the ETag confirm a guess of the content), is unique per write, and stays unpredictable if either
/// the random source or the object key is sound. It is stored like any ETag and survives key rotation.
/// </summary>
public static class EncryptedETag
{
    public const int Size = 16;
    public const int HexLength = 2 * Size;
    public const int SeedSize = 16;

    /// <summary>Writes a fresh ETag, bare (no quotes), as <see cref="HexLength"/> hex bytes; returns the length.</summary>
    public static int Create(ReadOnlySpan<byte> objectKey, Span<byte> destination)
    {
        Span<byte> seed = stackalloc byte[SeedSize];
        RandomNumberGenerator.Fill(seed);
        return Create(objectKey, seed, destination);
    }

    /// <summary>With a given seed: test vectors only.</summary>
    internal static int Create(ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> seed, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, HexLength, nameof(destination));
        Span<byte> key = stackalloc byte[ObjectKey.Size];
        Span<byte> mac = stackalloc byte[ObjectKey.Size];
        try
        {
            ObjectKey.DeriveSubkey(objectKey, Subkey.ETag, key);
            Sha256.Hmac(key, seed, mac);
            return Hex.Encode(mac[..Size], destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
