using System.Buffers.Binary;

namespace FastS3.Crypto;

/// <summary>
/// The stored layout of an encrypted object (docs/encryption-format.md §4): a 16-byte header, then
/// the plaintext in 64 KiB segments, each stored as AES-256-GCM ciphertext ‖ 16-byte tag.
/// <code>
///   header: "FS3E" | u8 version = 1 | u8 cipher = 1 (AES-256-GCM) | u8 segment-size exponent = 16 | u8 0 | 8-byte nonce prefix
///   nonce of segment i: nonce prefix ‖ u32 BE (i | 0x80000000 if i is the last segment)
///   AAD of every segment: the 16 header bytes
/// </code>
/// Every segment but the last holds exactly 64 KiB; the last holds 1..64 KiB, or 0 bytes when the
/// object is empty (one empty segment, tag only). The size maths here is pure and allocation-free.
/// </summary>
public static class SegmentFormat
{
    public const int HeaderSize = 16;
    public const int TagSize = 16;
    public const int SegmentSizeExponent = 16;
    public const int SegmentSize = 1 << SegmentSizeExponent;
    public const int StoredSegmentSize = SegmentSize + TagSize;
    public const int NonceSize = 12;
    public const int NoncePrefixSize = 8;
    public const byte Version = 1;
    public const byte CipherAes256Gcm = 1;

    /// <summary>Segment indexes are 31 bits: the top bit of the nonce counter is the final flag.</summary>
    public const long MaxSegmentCount = 1L << 31;

    public const long MaxPlaintextSize = MaxSegmentCount * SegmentSize;

    internal const uint FinalFlag = 0x8000_0000;

    private const int NoncePrefixOffset = 8;

    public static ReadOnlySpan<byte> Magic => "FS3E"u8;

    /// <summary>Segments an object of <paramref name="plaintextSize"/> bytes is stored in (an empty object has one).</summary>
    public static long SegmentCount(long plaintextSize)
    {
        CheckPlaintextSize(plaintextSize);
        return plaintextSize == 0 ? 1 : ((plaintextSize - 1) / SegmentSize) + 1;
    }

    /// <summary>Header + plaintext + one tag per segment.</summary>
    public static long StoredSize(long plaintextSize)
        => HeaderSize + plaintextSize + (SegmentCount(plaintextSize) * TagSize);

    /// <summary>
    /// The plaintext size behind a stored size; false for a size <see cref="StoredSize"/> never
    /// produces (a remainder of 1..16 bytes after the full segments, or an empty final segment after
    /// full ones), which means the stored stream was cut or padded.
    /// </summary>
    public static bool TryGetPlaintextSize(long storedSize, out long plaintextSize)
    {
        plaintextSize = 0;
        long body = storedSize - HeaderSize;
        if (body < TagSize)
        {
            return false;
        }

        long full = body / StoredSegmentSize;
        long rest = body % StoredSegmentSize;
        long size;
        if (rest == 0)
        {
            size = full * SegmentSize;
        }
        else if (rest > TagSize)
        {
            size = (full * SegmentSize) + (rest - TagSize);
        }
        else if (rest == TagSize && full == 0)
        {
            size = 0;
        }
        else
        {
            return false;
        }

        if (size > MaxPlaintextSize)
        {
            return false;
        }

        plaintextSize = size;
        return true;
    }

    /// <summary>Plaintext bytes in segment <paramref name="index"/> of an object of <paramref name="plaintextSize"/> bytes.</summary>
    public static int SegmentPlaintextLength(long plaintextSize, long index)
    {
        long count = SegmentCount(plaintextSize);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        return index < count - 1 ? SegmentSize : (int)(plaintextSize - (index * SegmentSize));
    }

    /// <summary>Where segment <paramref name="index"/> starts in the stored stream.</summary>
    public static long StoredSegmentOffset(long index) => HeaderSize + (index * StoredSegmentSize);

    /// <summary>
    /// The segments and stored bytes holding plaintext [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>)
    /// of an object of <paramref name="plaintextSize"/> bytes. The caller also needs the header
    /// (stored bytes [0, 16)) to decrypt.
    /// </summary>
    public static SegmentRange GetRange(long plaintextSize, long offset, long length)
    {
        long count = SegmentCount(plaintextSize);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, plaintextSize - offset);
        long first = offset / SegmentSize;
        long last = (offset + length - 1) / SegmentSize;
        long start = StoredSegmentOffset(first);
        long end = StoredSegmentOffset(last) + SegmentPlaintextLength(plaintextSize, last) + TagSize;
        return new SegmentRange(first, last, last == count - 1, start, end - start, (int)(offset - (first * SegmentSize)), length);
    }

    /// <summary>Whether <paramref name="header"/> is a header this version reads (magic, version, cipher, exponent, reserved byte).</summary>
    public static bool IsValidHeader(ReadOnlySpan<byte> header)
        => header.Length == HeaderSize
            && header[..4].SequenceEqual(Magic)
            && header[4] == Version
            && header[5] == CipherAes256Gcm
            && header[6] == SegmentSizeExponent
            && header[7] == 0;

    internal static void WriteHeader(ReadOnlySpan<byte> noncePrefix, Span<byte> header)
    {
        Magic.CopyTo(header);
        header[4] = Version;
        header[5] = CipherAes256Gcm;
        header[6] = SegmentSizeExponent;
        header[7] = 0;
        noncePrefix.CopyTo(header[NoncePrefixOffset..]);
    }

    /// <summary>nonce = header nonce prefix ‖ u32 BE (index | final flag).</summary>
    internal static void WriteNonce(ReadOnlySpan<byte> header, long index, bool final, Span<byte> nonce)
    {
        header.Slice(NoncePrefixOffset, NoncePrefixSize).CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NoncePrefixSize..], (uint)index | (final ? FinalFlag : 0));
    }

    private static void CheckPlaintextSize(long plaintextSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(plaintextSize, MaxPlaintextSize);
    }
}
