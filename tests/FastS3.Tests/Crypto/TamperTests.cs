using FastS3.Crypto;

namespace FastS3.Tests.Crypto;

/// <summary>Every change to a stored stream fails: bit flips, truncation, dropped, duplicated, reordered and swapped segments.</summary>
public class TamperTests
{
    private const int S = SegmentFormat.SegmentSize;
    private const int Stored = SegmentFormat.StoredSegmentSize;
    private const int H = SegmentFormat.HeaderSize;

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(40)]
    public void EveryBitFlipFails(int size)
    {
        byte[] oek = CryptoTestData.NewObjectKey(9);
        byte[] stored = CryptoTestData.Encrypt(oek, CryptoTestData.RandomBytes(size, 9));
        Assert.NotNull(CryptoTestData.TryDecrypt(oek, stored));
        for (int bit = 0; bit < stored.Length * 8; bit++)
        {
            stored[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Null(CryptoTestData.TryDecrypt(oek, stored));
            stored[bit / 8] ^= (byte)(1 << (bit % 8));
        }
    }

    [Fact]
    public void BitFlipsInAMultiSegmentStreamFail()
    {
        byte[] oek = CryptoTestData.NewObjectKey(10);
        byte[] stored = CryptoTestData.Encrypt(oek, CryptoTestData.RandomBytes((2 * S) + 100, 10));
        var random = new Random(10);
        var positions = new List<int> { 0, H - 1, H, H + S - 1, H + S, H + Stored - 1, H + Stored, stored.Length - 1 };
        for (int i = 0; i < 200; i++)
        {
            positions.Add(random.Next(stored.Length));
        }

        foreach (int position in positions)
        {
            byte mask = (byte)(1 << random.Next(8));
            stored[position] ^= mask;
            Assert.Null(CryptoTestData.TryDecrypt(oek, stored));
            stored[position] ^= mask;
        }
    }

    [Fact]
    public void TruncationFailsAtEveryBoundaryAndMidSegment()
    {
        byte[] oek = CryptoTestData.NewObjectKey(11);
        byte[] plaintext = CryptoTestData.RandomBytes(3 * S, 11);
        byte[] stored = CryptoTestData.Encrypt(oek, plaintext);
        var cuts = new List<int> { 0, 1, H - 1, H, H + 1, H + 16, H + S, stored.Length - 1, stored.Length - 16 };
        for (int k = 1; k <= 3; k++)
        {
            cuts.Add(H + (k * Stored));        // at a segment boundary (k = 3 is the whole stream)
            cuts.Add(H + (k * Stored) - 17);   // mid-segment
            cuts.Add(H + (k * Stored) + 17);
        }

        foreach (int cut in cuts.Where(c => c < stored.Length))
        {
            byte[] truncated = stored[..cut];

            // Trusting the stored length (the sizes are valid at segment boundaries)...
            Assert.Null(CryptoTestData.TryDecrypt(oek, truncated));

            // ...or the size the index recorded: both fail.
            Assert.Null(CryptoTestData.TryDecrypt(oek, truncated, plaintext.Length));
        }
    }

    [Fact]
    public void CuttingAnEmptyObjectFails()
    {
        byte[] oek = CryptoTestData.NewObjectKey(12);
        byte[] stored = CryptoTestData.Encrypt(oek, []);
        Assert.Equal(32, stored.Length);
        Assert.Empty(CryptoTestData.TryDecrypt(oek, stored)!);

        // The header alone: no segment at all, so an empty object can't be faked by truncation.
        Assert.Null(CryptoTestData.TryDecrypt(oek, stored[..H]));
        Assert.True(SegmentDecryptor.TryCreate(oek, stored.AsSpan(0, H), out SegmentDecryptor? decryptor));
        using (decryptor)
        {
            Assert.False(decryptor.TryDecryptSegment(0, final: true, stored.AsSpan(H, 15), new byte[1]));
        }

        // A non-empty object's first segment must not pass as the empty object's.
        byte[] other = CryptoTestData.Encrypt(oek, new byte[S]);
        Assert.Null(CryptoTestData.TryDecrypt(oek, [.. other[..H], .. stored[H..]]));
    }

    [Fact]
    public void DroppedDuplicatedAndReorderedSegmentsFail()
    {
        byte[] oek = CryptoTestData.NewObjectKey(13);
        byte[] plaintext = CryptoTestData.RandomBytes((3 * S) + 99, 13);
        byte[] stored = CryptoTestData.Encrypt(oek, plaintext);
        byte[] header = stored[..H];
        byte[][] segments = [.. Enumerable.Range(0, 4).Select(i => stored[(H + (i * Stored))..Math.Min(H + ((i + 1) * Stored), stored.Length)])];
        Assert.Equal(plaintext, CryptoTestData.TryDecrypt(oek, Join(header, segments, [0, 1, 2, 3])));

        int[][] orders =
        [
            [0, 2, 3], [1, 2, 3], [0, 1, 3], [0, 1, 2],                        // a segment dropped
            [0, 0, 1, 2, 3], [0, 1, 1, 2, 3], [0, 1, 2, 2, 3], [0, 1, 2, 3, 3], // duplicated
            [1, 0, 2, 3], [0, 2, 1, 3], [2, 1, 0, 3], [0, 1, 3, 2],             // reordered
        ];
        foreach (int[] order in orders)
        {
            byte[] changed = Join(header, segments, order);
            Assert.Null(CryptoTestData.TryDecrypt(oek, changed));
            Assert.Null(CryptoTestData.TryDecrypt(oek, changed, plaintext.Length));
        }

        // A full non-final segment decrypted as final (what a cut at its end would ask for) fails.
        Assert.True(SegmentDecryptor.TryCreate(oek, header, out SegmentDecryptor? decryptor));
        using (decryptor)
        {
            var buffer = new byte[S];
            Assert.True(decryptor.TryDecryptSegment(2, final: false, segments[2], buffer));
            Assert.False(decryptor.TryDecryptSegment(2, final: true, segments[2], buffer));
            Assert.False(decryptor.TryDecryptSegment(3, final: false, segments[2], buffer));
            Assert.True(decryptor.TryDecryptSegment(3, final: true, segments[3], buffer));
            Assert.False(decryptor.TryDecryptSegment(3, final: false, segments[3], buffer));
        }
    }

    [Fact]
    public void SegmentsSwappedBetweenObjectsFail()
    {
        byte[] plaintext = CryptoTestData.RandomBytes((2 * S) + 5, 14);

        // Same key, different object (fresh nonce prefix), and different keys.
        byte[] oek = CryptoTestData.NewObjectKey(14);
        byte[] a = CryptoTestData.Encrypt(oek, plaintext);
        byte[] b = CryptoTestData.Encrypt(oek, plaintext);
        byte[] c = CryptoTestData.Encrypt(CryptoTestData.NewObjectKey(15), plaintext);
        foreach (byte[] other in new[] { b, c })
        {
            for (int segment = 0; segment < 3; segment++)
            {
                byte[] mixed = (byte[])a.Clone();
                int start = H + (segment * Stored);
                int end = Math.Min(start + Stored, a.Length);
                other.AsSpan(start, end - start).CopyTo(mixed.AsSpan(start));
                Assert.Null(CryptoTestData.TryDecrypt(oek, mixed));
            }

            // The other object's header with this object's segments.
            byte[] rehead = (byte[])a.Clone();
            other.AsSpan(0, H).CopyTo(rehead);
            Assert.Null(CryptoTestData.TryDecrypt(oek, rehead));
        }

        // The right stream under another object key.
        Assert.Null(CryptoTestData.TryDecrypt(CryptoTestData.NewObjectKey(15), a));
    }

    [Fact]
    public void HeadersThisVersionCannotReadAreRejected()
    {
        byte[] oek = CryptoTestData.NewObjectKey(16);
        byte[] header = CryptoTestData.Encrypt(oek, [])[..H];
        Assert.True(SegmentFormat.IsValidHeader(header));
        for (int i = 0; i < 8; i++)
        {
            byte[] changed = (byte[])header.Clone();
            changed[i] ^= 0x01;
            Assert.False(SegmentDecryptor.TryCreate(oek, changed, out _));
        }

        Assert.False(SegmentDecryptor.TryCreate(oek, header[..15], out _));
    }

    private static byte[] Join(byte[] header, byte[][] segments, int[] order)
        => [.. header, .. order.SelectMany(i => segments[i])];
}
