using System.Buffers;
using FastS3.Crypto;

namespace FastS3.Tests.Crypto;

/// <summary>Round trips through the segment encryptor, the streaming encryptor and ranged decryption.</summary>
public class SegmentCipherTests
{
    private const int S = SegmentFormat.SegmentSize;

    public static TheoryData<int> Sizes => new() { 0, 1, 5, S - 1, S, S + 1, (2 * S) - 1, 2 * S, 3 * S, (3 * S) + 17 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RoundTrip(int size)
    {
        byte[] oek = CryptoTestData.NewObjectKey(size);
        byte[] plaintext = CryptoTestData.RandomBytes(size, size + 1);
        byte[] stored = CryptoTestData.Encrypt(oek, plaintext);

        Assert.Equal(SegmentFormat.StoredSize(size), stored.Length);
        Assert.True(SegmentFormat.IsValidHeader(stored.AsSpan(0, SegmentFormat.HeaderSize)));
        Assert.Equal(plaintext, CryptoTestData.TryDecrypt(oek, stored));
        if (size >= 32)
        {
            // The data really is encrypted.
            Assert.True(stored.AsSpan(SegmentFormat.HeaderSize).IndexOf(plaintext.AsSpan(0, 32)) < 0);
        }
    }

    [Fact]
    public void RandomSizesUpTo3MiB()
    {
        var random = new Random(42);
        for (int i = 0; i < 12; i++)
        {
            int size = random.Next(0, (3 * 1024 * 1024) + 1);
            byte[] oek = CryptoTestData.NewObjectKey(i);
            byte[] plaintext = CryptoTestData.RandomBytes(size, i);
            byte[] stored = CryptoTestData.Encrypt(oek, plaintext);
            Assert.Equal(plaintext, CryptoTestData.TryDecrypt(oek, stored));
            Assert.Equal(plaintext, StreamEncryptThenDecrypt(oek, plaintext, random));
        }
    }

    [Fact]
    public void SameInputEncryptsDifferentlyEachTime()
    {
        byte[] oek = CryptoTestData.NewObjectKey(1);
        byte[] plaintext = CryptoTestData.RandomBytes(100, 2);
        byte[] a = CryptoTestData.Encrypt(oek, plaintext);
        byte[] b = CryptoTestData.Encrypt(oek, plaintext);
        Assert.NotEqual(a, b);  // fresh nonce prefix per object
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void StreamingEncryptorMatchesTheSegmentApi(int size)
    {
        // Same key and nonce prefix, so the streams must be byte-identical whatever the split, and
        // whatever the length hint that sizes the buffers: none, exact, or too small (a client that
        // sends more than it declared).
        byte[] oek = CryptoTestData.NewObjectKey(size);
        byte[] prefix = CryptoTestData.RandomBytes(SegmentFormat.NoncePrefixSize, 3);
        byte[] plaintext = CryptoTestData.RandomBytes(size, size + 1);
        using var reference = new SegmentEncryptor(oek, prefix);
        byte[] expected = CryptoTestData.Encrypt(reference, plaintext);

        var random = new Random(size);
        foreach ((int maxIn, int maxOut) in new[] { (1, 1), (7, 4096), (S, 1 << 20), (S + 1, S + 16), (1 << 20, 17), (3 * S, 8 * S) })
        {
            foreach (long hint in new long[] { -1, size, size / 3 })
            {
                using var stream = new SegmentStreamEncryptor(new SegmentEncryptor(oek, prefix), hint);
                byte[] actual = StreamEncrypt(stream, plaintext, random, maxIn, maxOut);
                Assert.Equal(expected, actual);
                Assert.Equal(size, stream.PlaintextLength);
                Assert.Equal(expected.Length, stream.StoredLength);
            }
        }
    }

    [Fact]
    public void StreamingEncryptorRejectsDataAfterTheEnd()
    {
        using var stream = new SegmentStreamEncryptor(CryptoTestData.NewObjectKey(1));
        var output = new byte[100];
        Assert.Equal(OperationStatus.Done, stream.Encrypt("abc"u8, output, isFinalBlock: true, out int consumed, out int written));
        Assert.Equal(3, consumed);
        Assert.Equal(16 + 3 + 16, written);
        Assert.Equal(OperationStatus.Done, stream.Encrypt(default, output, isFinalBlock: true, out _, out written));
        Assert.Equal(0, written);
        Assert.Throws<InvalidOperationException>(() => stream.Encrypt("d"u8, output, isFinalBlock: true, out _, out _));
    }

    [Fact]
    public void EncryptorEnforcesSegmentRules()
    {
        byte[] oek = CryptoTestData.NewObjectKey(1);
        var output = new byte[SegmentFormat.StoredSegmentSize];
        using var encryptor = new SegmentEncryptor(oek);
        Assert.Throws<ArgumentException>(() => encryptor.EncryptSegment(new byte[S - 1], final: false, output));
        Assert.Throws<ArgumentException>(() => encryptor.EncryptSegment(new byte[S + 1], final: true, output));
        Assert.Throws<ArgumentOutOfRangeException>(() => encryptor.EncryptSegment(new byte[10], final: true, new byte[25]));
        Assert.Equal(SegmentFormat.StoredSegmentSize, encryptor.EncryptSegment(new byte[S], final: false, output));
        Assert.Throws<ArgumentException>(() => encryptor.EncryptSegment([], final: true, output));
        Assert.Equal(26, encryptor.EncryptSegment(new byte[10], final: true, output));
        Assert.True(encryptor.IsFinished);
        Assert.Throws<InvalidOperationException>(() => encryptor.EncryptSegment(new byte[10], final: true, output));
    }

    [Fact]
    public void RandomRangesDecryptToThePlaintextSlice()
    {
        var random = new Random(2024);
        for (int o = 0; o < 8; o++)
        {
            int size = o switch { 0 => 1, 1 => S, 2 => S + 1, _ => random.Next(1, 20 * S) };
            byte[] oek = CryptoTestData.NewObjectKey(o);
            byte[] plaintext = CryptoTestData.RandomBytes(size, o);
            byte[] stored = CryptoTestData.Encrypt(oek, plaintext);
            Assert.True(SegmentDecryptor.TryCreate(oek, stored.AsSpan(0, SegmentFormat.HeaderSize), out SegmentDecryptor? decryptor));
            using (decryptor)
            {
                var buffer = new byte[size + S];
                for (int i = 0; i < 150; i++)
                {
                    long offset = random.NextInt64(0, size);
                    long length = random.Next(4) == 0 ? size - offset : random.NextInt64(1, Math.Min(size - offset, 3 * S) + 1);
                    SegmentRange range = SegmentFormat.GetRange(size, offset, length);
                    ReadOnlySpan<byte> read = stored.AsSpan((int)range.StoredOffset, (int)range.StoredLength);

                    Assert.True(decryptor.TryDecryptSegments(range.FirstSegment, range.LastIsFinal, read, buffer, out int written));
                    Assert.True(buffer.AsSpan(range.Skip, (int)length).SequenceEqual(plaintext.AsSpan((int)offset, (int)length)));
                    Assert.Equal(range.StoredLength - (range.SegmentCount * SegmentFormat.TagSize), written);
                }
            }
        }
    }

    private static byte[] StreamEncryptThenDecrypt(byte[] oek, byte[] plaintext, Random random)
    {
        using var stream = new SegmentStreamEncryptor(oek);
        byte[] stored = StreamEncrypt(stream, plaintext, random, 300_000, 200_000);
        return CryptoTestData.TryDecrypt(oek, stored)!;
    }

    /// <summary>Feeds random-sized pieces into random-sized output windows, as a PUT would.</summary>
    private static byte[] StreamEncrypt(SegmentStreamEncryptor stream, byte[] plaintext, Random random, int maxIn, int maxOut)
    {
        var output = new byte[SegmentFormat.StoredSize(plaintext.Length)];
        int read = 0;
        int written = 0;
        while (true)
        {
            int pieceLength = Math.Min(random.Next(0, maxIn + 1), plaintext.Length - read);
            bool last = read + pieceLength == plaintext.Length;
            ReadOnlySpan<byte> piece = plaintext.AsSpan(read, pieceLength);
            OperationStatus status;
            do
            {
                int window = Math.Min(random.Next(1, maxOut + 1), output.Length - written);
                status = stream.Encrypt(piece, output.AsSpan(written, window), last, out int consumed, out int produced);
                piece = piece[consumed..];
                read += consumed;
                written += produced;
                Assert.False(window == 0 && status == OperationStatus.DestinationTooSmall, "the stream wants more room than its stored size");
            }
            while (status == OperationStatus.DestinationTooSmall);

            if (status == OperationStatus.Done)
            {
                Assert.True(piece.IsEmpty);
                Assert.Equal(output.Length, written);
                return output;
            }

            Assert.Equal(OperationStatus.NeedMoreData, status);
            Assert.True(piece.IsEmpty);
        }
    }
}
