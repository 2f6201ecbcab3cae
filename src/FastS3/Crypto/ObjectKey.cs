using System.Buffers;
using System.Security.Cryptography;
using FastS3.Crypto.OpenSsl;

namespace FastS3.Crypto;

/// <summary>
/// The SSE-C key hierarchy (docs/encryption-format.md §3). Every object gets a fresh random object
/// key (OEK) and IV. The OEK is sealed (AES-256-GCM) under a key-encryption key derived from the
/// client's key, the IV and the object's bucket and name, so only the sealed key, the IV and
/// <see cref="SealAlgorithm"/> are stored; the client key, the KEK and the OEK never are. A sealed
/// key copied to another bucket or name, or opened with another client key, fails authentication.
/// All key material lives in caller spans or on the stack and is zeroed after use.
/// </summary>
public static class ObjectKey
{
    /// <summary>Length of the client key, the OEK, the KEK and every subkey.</summary>
    public const int Size = 32;

    public const int IvSize = 32;

    public const int SealNonceSize = 12;

    public const int TagSize = 16;

    /// <summary>nonce ‖ encrypted OEK ‖ tag.</summary>
    public const int SealedSize = SealNonceSize + Size + TagSize;

    /// <summary>Stored with the sealed key: names the KEK derivation, the seal and the subkey labels below.</summary>
    public const byte SealAlgorithm = 1;

    private const int StackMessageLimit = 2048;

    /// <summary>The KEK's HMAC message starts with this, then IV ‖ bucket ‖ 0x00 ‖ object key.</summary>
    internal static ReadOnlySpan<byte> KekLabel => "FastS3/SSE-C/v1/kek"u8;

    /// <summary>The sealed key's associated data.</summary>
    internal static ReadOnlySpan<byte> SealLabel => "FastS3/SSE-C/v1/sealed-key"u8;

    /// <summary>
    /// Draws a fresh OEK and IV and seals the OEK for (<paramref name="bucket"/>, <paramref name="objectKey"/>).
    /// The caller keeps <paramref name="oek"/> to encrypt with, zeroes it when done, and stores
    /// <paramref name="iv"/> and <paramref name="sealedKey"/>.
    /// </summary>
    public static void Create(
        ReadOnlySpan<byte> clientKey,
        ReadOnlySpan<byte> bucket,
        ReadOnlySpan<byte> objectKey,
        Span<byte> oek,
        Span<byte> iv,
        Span<byte> sealedKey)
    {
        CheckLength(oek.Length, Size, nameof(oek));
        RandomNumberGenerator.Fill(oek);
        SealFresh(KeyWrap.Customer(clientKey), bucket, objectKey, oek, iv, sealedKey);
    }

    /// <summary>
    /// Seals <paramref name="oek"/> for (<paramref name="bucket"/>, <paramref name="objectKey"/>) under
    /// <paramref name="wrap"/> with a fresh IV: a new object's key, or an existing one moving to
    /// another wrap (another mode or key), whose data, metadata blob and ETag stay valid.
    /// </summary>
    public static void SealFresh(
        KeyWrap wrap,
        ReadOnlySpan<byte> bucket,
        ReadOnlySpan<byte> objectKey,
        ReadOnlySpan<byte> oek,
        Span<byte> iv,
        Span<byte> sealedKey)
    {
        CheckLength(iv.Length, IvSize, nameof(iv));
        RandomNumberGenerator.Fill(iv);
        Seal(wrap, bucket, objectKey, iv, oek, sealedKey);
    }

    /// <summary>Seals <paramref name="oek"/> under the KEK for this client key, IV and path, with a random nonce.</summary>
    public static void Seal(
        KeyWrap wrap,
        ReadOnlySpan<byte> bucket,
        ReadOnlySpan<byte> objectKey,
        ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> oek,
        Span<byte> sealedKey)
    {
        Span<byte> nonce = stackalloc byte[SealNonceSize];
        RandomNumberGenerator.Fill(nonce);
        Seal(wrap, bucket, objectKey, iv, oek, nonce, sealedKey);
    }

    /// <summary>As <see cref="Seal(KeyWrap, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/> with a given nonce: test vectors only.</summary>
    internal static void Seal(
        KeyWrap wrap,
        ReadOnlySpan<byte> bucket,
        ReadOnlySpan<byte> objectKey,
        ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> oek,
        ReadOnlySpan<byte> nonce,
        Span<byte> sealedKey)
    {
        CheckLength(oek.Length, Size, nameof(oek));
        CheckLength(nonce.Length, SealNonceSize, nameof(nonce));
        CheckLength(sealedKey.Length, SealedSize, nameof(sealedKey));
        Span<byte> kek = stackalloc byte[Size];
        try
        {
            DeriveKek(wrap, iv, bucket, objectKey, kek);
            nonce.CopyTo(sealedKey);
            using GcmCipher.Scope gcm = GcmCipher.OnThread(kek);
            gcm.Cipher.Encrypt(
                sealedKey[..SealNonceSize],
                oek,
                sealedKey.Slice(SealNonceSize, Size),
                sealedKey.Slice(SealNonceSize + Size, TagSize),
                wrap.SealData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>
    /// Opens a sealed key into <paramref name="oek"/>. False, with <paramref name="oek"/> zeroed, when
    /// it does not authenticate: the wrong client key (S3 403 AccessDenied), another object's seal,
    /// or damaged metadata.
    /// </summary>
    public static bool TryUnseal(
        ReadOnlySpan<byte> clientKey,
        ReadOnlySpan<byte> bucket,
        ReadOnlySpan<byte> objectKey,
        ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> sealedKey,
        Span<byte> oek)
        => TryUnseal(KeyWrap.Customer(clientKey), bucket, objectKey, iv, sealedKey, oek);

    /// <summary>As the SSE-C <c>TryUnseal</c>, under <paramref name="wrap"/>.</summary>
    public static bool TryUnseal(
        KeyWrap wrap,
        ReadOnlySpan<byte> bucket,
        ReadOnlySpan<byte> objectKey,
        ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> sealedKey,
        Span<byte> oek)
    {
        CheckLength(oek.Length, Size, nameof(oek));
        CheckLength(wrap.Key.Length, Size, "clientKey");
        if (iv.Length != IvSize || sealedKey.Length != SealedSize || bucket.Contains((byte)0))
        {
            CryptographicOperations.ZeroMemory(oek);
            return false;
        }

        Span<byte> kek = stackalloc byte[Size];
        try
        {
            DeriveKek(wrap, iv, bucket, objectKey, kek);
            using GcmCipher.Scope gcm = GcmCipher.OnThread(kek);
            return gcm.Cipher.TryDecrypt(
                sealedKey[..SealNonceSize],
                sealedKey.Slice(SealNonceSize, Size),
                sealedKey.Slice(SealNonceSize + Size, TagSize),
                oek,
                wrap.SealData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>
    /// Opens the seal under <paramref name="oldWrap"/> and seals the same OEK under
    /// <paramref name="newWrap"/>, keeping the stored IV (the seal nonce is fresh, so nothing repeats):
    /// how an SSE-S3/KMS object moves to a newer key version (re-wrap) without touching its data,
    /// metadata blob or ETag. False when the old wrap does not open it.
    /// </summary>
    public static bool TryReseal(
        KeyWrap oldWrap,
        KeyWrap newWrap,
        ReadOnlySpan<byte> bucket,
        ReadOnlySpan<byte> objectKey,
        ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> sealedKey,
        Span<byte> newSealedKey)
    {
        Span<byte> oek = stackalloc byte[Size];
        try
        {
            if (!TryUnseal(oldWrap, bucket, objectKey, iv, sealedKey, oek))
            {
                return false;
            }

            Seal(newWrap, bucket, objectKey, iv, oek, newSealedKey);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(oek);
        }
    }

    /// <summary>KEK = HMAC-SHA256(client key, <see cref="KekLabel"/> ‖ IV ‖ bucket ‖ 0x00 ‖ object key).</summary>
    internal static void DeriveKek(
        ReadOnlySpan<byte> clientKey,
        ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> bucket,
        ReadOnlySpan<byte> objectKey,
        Span<byte> kek)
        => DeriveKek(KeyWrap.Customer(clientKey), iv, bucket, objectKey, kek);

    /// <summary>KEK = HMAC-SHA256(wrapping key, KEK label ‖ IV ‖ bucket ‖ 0x00 ‖ object key).</summary>
    internal static void DeriveKek(
        KeyWrap wrap,
        ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> bucket,
        ReadOnlySpan<byte> objectKey,
        Span<byte> kek)
    {
        ReadOnlySpan<byte> clientKey = wrap.Key;
        ReadOnlySpan<byte> kekLabel = wrap.KekLabel;
        CheckLength(clientKey.Length, Size, nameof(clientKey));
        CheckLength(iv.Length, IvSize, nameof(iv));
        if (bucket.Contains((byte)0))
        {
            // The 0x00 separator is what keeps (bucket, key) pairs apart.
            throw new ArgumentException("A bucket name cannot contain 0x00.", nameof(bucket));
        }

        int length = kekLabel.Length + IvSize + bucket.Length + 1 + objectKey.Length;
        byte[]? rented = null;
        Span<byte> message = length <= StackMessageLimit
            ? stackalloc byte[StackMessageLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(length));
        message = message[..length];
        kekLabel.CopyTo(message);
        int at = kekLabel.Length;
        iv.CopyTo(message[at..]);
        at += IvSize;
        bucket.CopyTo(message[at..]);
        at += bucket.Length;
        message[at++] = 0;
        objectKey.CopyTo(message[at..]);
        Sha256.Hmac(clientKey, message, kek);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>subkey = HMAC-SHA256(OEK, label of <paramref name="purpose"/>).</summary>
    internal static void DeriveSubkey(ReadOnlySpan<byte> oek, Subkey purpose, Span<byte> subkey)
    {
        CheckLength(oek.Length, Size, nameof(oek));
        CheckLength(subkey.Length, Size, nameof(subkey));
        ReadOnlySpan<byte> label = purpose switch
        {
            Subkey.Data => "FastS3/SSE-C/v1/data"u8,
            Subkey.Metadata => "FastS3/SSE-C/v1/metadata"u8,
            Subkey.ETag => "FastS3/SSE-C/v1/etag"u8,
            Subkey.PartTable => "FastS3/SSE-C/v1/parts"u8,
            Subkey.PartMac => "FastS3/SSE-C/v1/part-mac"u8,
            _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
        };
        Sha256.Hmac(oek, label, subkey);
    }

    /// <summary>
    /// The key of part <paramref name="partNumber"/> of a multipart object: HMAC-SHA256(OEK,
    /// "FastS3/SSE-C/v1/part" ‖ u32 BE part number). Each part is a stream of its own under this key,
    /// so a part's segments cannot be moved to another part number.
    /// </summary>
    public static void DerivePartKey(ReadOnlySpan<byte> oek, int partNumber, Span<byte> partKey)
    {
        CheckLength(oek.Length, Size, nameof(oek));
        CheckLength(partKey.Length, Size, nameof(partKey));
        ReadOnlySpan<byte> label = "FastS3/SSE-C/v1/part"u8;
        Span<byte> message = stackalloc byte[label.Length + 4];
        label.CopyTo(message);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(message[label.Length..], partNumber);
        Sha256.Hmac(oek, message, partKey);
    }

    /// <summary>HMAC-SHA256(part-table subkey of the OEK, <paramref name="table"/>): binds a multipart object's part list.</summary>
    public static void MacPartTable(ReadOnlySpan<byte> oek, ReadOnlySpan<byte> table, Span<byte> mac) => Mac(oek, Subkey.PartTable, table, mac);

    /// <summary>HMAC-SHA256(part-MAC subkey of the OEK, <paramref name="entry"/>): binds one part (upload id ‖ its table entry).</summary>
    public static void MacPart(ReadOnlySpan<byte> oek, ReadOnlySpan<byte> entry, Span<byte> mac) => Mac(oek, Subkey.PartMac, entry, mac);

    private static void Mac(ReadOnlySpan<byte> oek, Subkey purpose, ReadOnlySpan<byte> message, Span<byte> mac)
    {
        Span<byte> key = stackalloc byte[Size];
        try
        {
            DeriveSubkey(oek, purpose, key);
            Sha256.Hmac(key, message, mac);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    internal static void CheckLength(int actual, int expected, string name) => LibCrypto.CheckLength(actual, expected, name);
}
