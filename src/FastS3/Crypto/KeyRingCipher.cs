using System.Security.Cryptography;
using FastS3.Crypto.OpenSsl;

namespace FastS3.Crypto;

/// <summary>
/// Seals the KMS key ring under the master key (docs/encryption-format.md §13.1):
/// <code>
///   ringKey = HMAC-SHA256(master key, "FastS3/KMS/v1/key-ring")
///   sealed  = 12-byte random nonce ‖ GCM-Enc(ringKey, nonce, ring, AAD = <paramref name="header"/>) ‖ tag
/// </code>
/// The header (format and master key name, kept in clear) is bound as associated data, so a ring
/// cannot be passed off under another master key's name.
/// </summary>
public static class KeyRingCipher
{
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = NonceSize + TagSize;

    private static ReadOnlySpan<byte> Label => "FastS3/KMS/v1/key-ring"u8;

    public static byte[] Seal(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> header, ReadOnlySpan<byte> ring)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        RandomNumberGenerator.Fill(nonce);
        return Seal(masterKey, header, ring, nonce);
    }

    /// <summary>With a given nonce: test vectors only.</summary>
    internal static byte[] Seal(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> header, ReadOnlySpan<byte> ring, ReadOnlySpan<byte> nonce)
    {
        ObjectKey.CheckLength(nonce.Length, NonceSize, nameof(nonce));
        var sealedRing = new byte[Overhead + ring.Length];
        nonce.CopyTo(sealedRing);
        using GcmCipher.Scope gcm = OnThread(masterKey);
        gcm.Cipher.Encrypt(sealedRing.AsSpan(0, NonceSize), ring, sealedRing.AsSpan(NonceSize, ring.Length), sealedRing.AsSpan(NonceSize + ring.Length), header);
        return sealedRing;
    }

    /// <summary>Opens a sealed ring into <paramref name="ring"/> (<c>sealed.Length − Overhead</c> bytes); false if it does not authenticate.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> header, ReadOnlySpan<byte> sealedRing, Span<byte> ring)
    {
        if (sealedRing.Length < Overhead || ring.Length != sealedRing.Length - Overhead)
        {
            return false;
        }

        using GcmCipher.Scope gcm = OnThread(masterKey);
        return gcm.Cipher.TryDecrypt(sealedRing[..NonceSize], sealedRing.Slice(NonceSize, ring.Length), sealedRing[(NonceSize + ring.Length)..], ring, header);
    }

    private static GcmCipher.Scope OnThread(ReadOnlySpan<byte> masterKey)
    {
        ObjectKey.CheckLength(masterKey.Length, ObjectKey.Size, nameof(masterKey));
        Span<byte> key = stackalloc byte[ObjectKey.Size];
        try
        {
            Sha256.Hmac(masterKey, Label, key);
            return GcmCipher.OnThread(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
