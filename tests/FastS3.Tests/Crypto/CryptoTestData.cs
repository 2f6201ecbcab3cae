using FastS3.Crypto;

namespace FastS3.Tests.Crypto;

/// <summary>Encrypts and decrypts whole objects through the segment API, for the tests.</summary>
internal static class CryptoTestData
{
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] NewObjectKey(int seed) => RandomBytes(ObjectKey.Size, seed);

    /// <summary>The stored stream, segment by segment through <see cref="SegmentEncryptor"/>.</summary>
    public static byte[] Encrypt(byte[] oek, ReadOnlySpan<byte> plaintext)
    {
        using var encryptor = new SegmentEncryptor(oek);
        return Encrypt(encryptor, plaintext);
    }

    public static byte[] Encrypt(SegmentEncryptor encryptor, ReadOnlySpan<byte> plaintext)
    {
        var stored = new byte[SegmentFormat.StoredSize(plaintext.Length)];
        int at = encryptor.WriteHeader(stored);
        long count = SegmentFormat.SegmentCount(plaintext.Length);
        for (long i = 0; i < count; i++)
        {
            int length = SegmentFormat.SegmentPlaintextLength(plaintext.Length, i);
            at += encryptor.EncryptSegment(plaintext.Slice((int)(i * SegmentFormat.SegmentSize), length), i == count - 1, stored.AsSpan(at));
        }

        Assert.Equal(stored.Length, at);
        return stored;
    }

    /// <summary>The whole plaintext, or null if anything fails to authenticate or the size is impossible.</summary>
    public static byte[]? TryDecrypt(byte[] oek, ReadOnlySpan<byte> stored)
    {
        if (!SegmentFormat.TryGetPlaintextSize(stored.Length, out long size))
        {
            return null;
        }

        return TryDecrypt(oek, stored, size);
    }

    /// <summary>Decrypts with the plaintext size the caller believes in (as a server takes it from its index).</summary>
    public static byte[]? TryDecrypt(byte[] oek, ReadOnlySpan<byte> stored, long size)
    {
        if (stored.Length < SegmentFormat.HeaderSize
            || !SegmentDecryptor.TryCreate(oek, stored[..SegmentFormat.HeaderSize], out SegmentDecryptor? decryptor))
        {
            return null;
        }

        using (decryptor)
        {
            var plaintext = new byte[size];
            long count = SegmentFormat.SegmentCount(size);
            for (long i = 0; i < count; i++)
            {
                long offset = SegmentFormat.StoredSegmentOffset(i);
                int length = SegmentFormat.SegmentPlaintextLength(size, i);
                if (offset + length + SegmentFormat.TagSize > stored.Length)
                {
                    return null;
                }

                ReadOnlySpan<byte> segment = stored.Slice((int)offset, length + SegmentFormat.TagSize);
                if (!decryptor.TryDecryptSegment(i, i == count - 1, segment, plaintext.AsSpan((int)(i * SegmentFormat.SegmentSize))))
                {
                    return null;
                }
            }

            return SegmentFormat.StoredSize(size) == stored.Length ? plaintext : null;
        }
    }
}
