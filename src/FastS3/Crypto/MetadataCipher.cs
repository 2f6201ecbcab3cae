using System.Security.Cryptography;
using FastS3.Crypto.OpenSsl;

namespace FastS3.Crypto;

/// <summary>
/// Seals an object's metadata blob (content headers and user metadata, serialized by the caller)
/// under the metadata subkey of its object key:
/// <code>  u8 version = 1 | 12-byte random nonce | ciphertext | 16-byte tag      AAD = the version byte</code>
/// </summary>
public static class MetadataCipher
{
    public const byte Version = 1;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int Overhead = 1 + NonceSize + TagSize;

    public static int SealedLength(int plaintextLength) => Overhead + plaintextLength;

    /// <summary>Writes the sealed blob (<see cref="SealedLength"/> bytes) and returns its length.</summary>
    public static int Seal(ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        Span<byte> nonce = stackalloc byte[NonceSize];
        RandomNumberGenerator.Fill(nonce);
        return Seal(objectKey, plaintext, nonce, destination);
    }

    /// <summary>With a given nonce: test vectors only.</summary>
    internal static int Seal(ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> nonce, Span<byte> destination)
    {
        ObjectKey.CheckLength(nonce.Length, NonceSize, nameof(nonce));
        int length = SealedLength(plaintext.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, length, nameof(destination));
        destination[0] = Version;
        nonce.CopyTo(destination[1..]);
        using GcmCipher.Scope gcm = OnThread(objectKey);
        gcm.Cipher.Encrypt(
            destination.Slice(1, NonceSize),
            plaintext,
            destination.Slice(1 + NonceSize, plaintext.Length),
            destination.Slice(1 + NonceSize + plaintext.Length, TagSize),
            destination[..1]);
        return length;
    }

    /// <summary>
    /// Opens a sealed blob into <paramref name="plaintext"/> (at least <c>sealed.Length − Overhead</c>
    /// bytes). False on an unknown version, a short blob or any alteration.
    /// </summary>
    public static bool TryOpen(ReadOnlySpan<byte> objectKey, ReadOnlySpan<byte> sealedBlob, Span<byte> plaintext, out int written)
    {
        using Opener opener = OpenerFor(objectKey);
        return opener.TryOpen(sealedBlob, plaintext, out written);
    }

    /// <summary>Opens blobs of one object (its metadata and its checksum) with the subkey derived and the cipher keyed once.</summary>
    public static Opener OpenerFor(ReadOnlySpan<byte> objectKey) => new(OnThread(objectKey));

    /// <summary>The thread's cipher keyed with one object's metadata subkey; disposing it wipes the key.</summary>
    public readonly ref struct Opener
    {
        private readonly GcmCipher.Scope _gcm;

        internal Opener(GcmCipher.Scope gcm) => _gcm = gcm;

        /// <summary>As <see cref="MetadataCipher.TryOpen"/>, under this opener's key.</summary>
        public bool TryOpen(ReadOnlySpan<byte> sealedBlob, Span<byte> plaintext, out int written)
        {
            written = 0;
            int length = sealedBlob.Length - Overhead;
            if (length < 0 || sealedBlob[0] != Version)
            {
                return false;
            }

            ArgumentOutOfRangeException.ThrowIfLessThan(plaintext.Length, length, nameof(plaintext));
            if (!_gcm.Cipher.TryDecrypt(
                sealedBlob.Slice(1, NonceSize),
                sealedBlob.Slice(1 + NonceSize, length),
                sealedBlob[(1 + NonceSize + length)..],
                plaintext[..length],
                sealedBlob[..1]))
            {
                return false;
            }

            written = length;
            return true;
        }

        public void Dispose() => _gcm.Dispose();
    }

    private static GcmCipher.Scope OnThread(ReadOnlySpan<byte> objectKey)
    {
        Span<byte> key = stackalloc byte[ObjectKey.Size];
        try
        {
            ObjectKey.DeriveSubkey(objectKey, Subkey.Metadata, key);
            return GcmCipher.OnThread(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
