using FastS3.Crypto;

namespace FastS3.Fuzz;

/// <summary>
/// The encrypted objects the segment target reads: a fixed object key and one plaintext pattern for
/// every size, so any byte the reader hands out can be checked against what it must be.
/// </summary>
internal static class EncryptedObject
{
    public static readonly byte[] ObjectKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    public static readonly byte[] NoncePrefix = "fuzznonc"u8.ToArray();

    /// <summary>Plaintext byte <paramref name="offset"/> of every object (not periodic in 64 KiB, so a moved segment shows).</summary>
    public static byte PlaintextAt(long offset) => (byte)(offset ^ (offset >> 8) ^ (offset >> 16));

    /// <summary>The stored stream of the <paramref name="size"/>-byte object, as a write with this nonce prefix stores it.</summary>
    public static byte[] Encrypt(long size, ReadOnlySpan<byte> noncePrefix)
    {
        byte[] stored = new byte[SegmentFormat.StoredSize(size)];
        using var encryptor = new SegmentEncryptor(ObjectKey, noncePrefix);
        int at = encryptor.WriteHeader(stored);
        byte[] segment = new byte[SegmentFormat.SegmentSize];
        long count = SegmentFormat.SegmentCount(size);
        for (long index = 0; index < count; index++)
        {
            int length = SegmentFormat.SegmentPlaintextLength(size, index);
            for (int i = 0; i < length; i++)
            {
                segment[i] = PlaintextAt((index * SegmentFormat.SegmentSize) + i);
            }

            at += encryptor.EncryptSegment(segment.AsSpan(0, length), index == count - 1, stored.AsSpan(at));
        }

        return stored;
    }
}
