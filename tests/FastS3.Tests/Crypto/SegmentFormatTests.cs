using FastS3.Crypto;

namespace FastS3.Tests.Crypto;

/// <summary>Pure size and range maths of the stored stream.</summary>
public class SegmentFormatTests
{
    private const int S = SegmentFormat.SegmentSize;

    [Theory]
    [InlineData(0L, 1L, 32L)]
    [InlineData(1L, 1L, 33L)]
    [InlineData(5L, 1L, 37L)]
    [InlineData(65535L, 1L, 65567L)]
    [InlineData(65536L, 1L, 65568L)]
    [InlineData(65537L, 2L, 65585L)]
    [InlineData(3L * 65536, 3L, 16 + (3L * 65552))]
    [InlineData(5L * 1024 * 1024 * 1024 * 1024, 83886080L, 16 + (5L * 1024 * 1024 * 1024 * 1024) + (83886080L * 16))]
    public void StoredSizes(long plaintext, long segments, long stored)
    {
        Assert.Equal(segments, SegmentFormat.SegmentCount(plaintext));
        Assert.Equal(stored, SegmentFormat.StoredSize(plaintext));
        Assert.True(SegmentFormat.TryGetPlaintextSize(stored, out long back));
        Assert.Equal(plaintext, back);
    }

    [Fact]
    public void PlaintextSizeInvertsStoredSizeExactly()
    {
        // Every stored size up to a few segments: valid iff some plaintext size produces it.
        var produced = new HashSet<long>();
        for (long n = 0; n <= (3 * S) + 10; n++)
        {
            produced.Add(SegmentFormat.StoredSize(n));
        }

        long limit = SegmentFormat.StoredSize(3 * S);
        for (long stored = 0; stored <= limit; stored++)
        {
            bool valid = SegmentFormat.TryGetPlaintextSize(stored, out long n);
            Assert.Equal(produced.Contains(stored), valid);
            if (valid)
            {
                Assert.Equal(stored, SegmentFormat.StoredSize(n));
            }
        }
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(31L)]
    [InlineData(16L + 65552 + 16)]  // an empty segment after a full one
    [InlineData(16L + 65552 + 7)]   // shorter than a tag
    public void ImpossibleStoredSizesAreRejected(long stored)
        => Assert.False(SegmentFormat.TryGetPlaintextSize(stored, out _));

    [Fact]
    public void RangeWorkedExample()
    {
        // bytes=100000-199999 of a 1 MB object (the example in docs/encryption-format.md).
        SegmentRange range = SegmentFormat.GetRange(1_000_000, 100_000, 100_000);
        Assert.Equal(1, range.FirstSegment);
        Assert.Equal(3, range.LastSegment);
        Assert.False(range.LastIsFinal);
        Assert.Equal(65568, range.StoredOffset);
        Assert.Equal(3 * 65552, range.StoredLength);
        Assert.Equal(34464, range.Skip);
        Assert.Equal(100_000, range.Length);
    }

    [Fact]
    public void RangeReachingTheEndIncludesTheShortFinalSegment()
    {
        SegmentRange range = SegmentFormat.GetRange(65537, 65536, 1);
        Assert.Equal(1, range.FirstSegment);
        Assert.Equal(1, range.LastSegment);
        Assert.True(range.LastIsFinal);
        Assert.Equal(16 + 65552, range.StoredOffset);
        Assert.Equal(17, range.StoredLength);
        Assert.Equal(0, range.Skip);
        Assert.Equal(SegmentFormat.StoredSize(65537), range.StoredOffset + range.StoredLength);
    }

    [Fact]
    public void InvalidRangesThrow()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentFormat.GetRange(10, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentFormat.GetRange(10, 5, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentFormat.GetRange(10, -1, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentFormat.GetRange(0, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentFormat.StoredSize(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentFormat.StoredSize(SegmentFormat.MaxPlaintextSize + 1));
    }

    [Fact]
    public void RandomRangesCoverExactlyTheirSegments()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            long size = random.NextInt64(1, 40L * S);
            long offset = random.NextInt64(0, size);
            long length = random.NextInt64(1, size - offset + 1);
            SegmentRange range = SegmentFormat.GetRange(size, offset, length);
            long count = SegmentFormat.SegmentCount(size);

            Assert.Equal(offset / S, range.FirstSegment);
            Assert.Equal((offset + length - 1) / S, range.LastSegment);
            Assert.Equal(range.LastSegment == count - 1, range.LastIsFinal);
            Assert.Equal(SegmentFormat.StoredSegmentOffset(range.FirstSegment), range.StoredOffset);
            long plainInRange = 0;
            for (long s = range.FirstSegment; s <= range.LastSegment; s++)
            {
                plainInRange += SegmentFormat.SegmentPlaintextLength(size, s);
            }

            Assert.Equal(plainInRange + (range.SegmentCount * SegmentFormat.TagSize), range.StoredLength);
            Assert.True(range.StoredOffset + range.StoredLength <= SegmentFormat.StoredSize(size));
            Assert.True(range.Skip + length <= plainInRange);
        }
    }
}
