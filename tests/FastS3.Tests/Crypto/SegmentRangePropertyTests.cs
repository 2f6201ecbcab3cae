using CsCheck;
using FastS3.Api;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Tests.Crypto;

/// <summary>
/// Segment maths against a model that lays the stored stream out segment by segment, and ranged
/// reads of real encrypted objects against the plaintext they were made from.
/// </summary>
public class SegmentRangePropertyTests
{
    private const int S = SegmentFormat.SegmentSize;

    private static readonly Gen<long> Size = Gen.Frequency((3, (IGen<long>)Gen.Long[1, 4L * S]), (1, Gen.Long[1, 40L * S]));

    /// <summary>The stored stream laid out one segment after another: (plaintext start, plaintext length, stored start, stored length).</summary>
    private static List<(long PlainStart, long PlainLength, long StoredStart, long StoredLength)> Layout(long size)
    {
        var segments = new List<(long, long, long, long)>();
        long stored = SegmentFormat.HeaderSize;
        for (long plain = 0; plain < size || segments.Count == 0; plain += S)
        {
            long length = Math.Min(S, size - plain);
            segments.Add((plain, length, stored, length + SegmentFormat.TagSize));
            stored += length + SegmentFormat.TagSize;
        }

        return segments;
    }

    [Fact]
    public void RangesNeedExactlyTheSegmentsTheyTouch()
    {
        var cases = Size.SelectMany(size => Gen.Long[0, size - 1].SelectMany(offset => Gen.Long[1, size - offset].Select(length => (size, offset, length))));
        cases.Sample((size, offset, length) =>
        {
            var layout = Layout(size);
            var touched = layout.Select((segment, index) => (segment, index))
                .Where(x => x.segment.PlainStart < offset + length && offset < x.segment.PlainStart + x.segment.PlainLength).ToList();
            var (first, last) = (touched[0], touched[^1]);

            SegmentRange range = SegmentFormat.GetRange(size, offset, length);

            Assert.Equal(first.index, range.FirstSegment);
            Assert.Equal(last.index, range.LastSegment);
            Assert.Equal(last.index == layout.Count - 1, range.LastIsFinal);
            Assert.Equal(first.segment.StoredStart, range.StoredOffset);
            Assert.Equal(last.segment.StoredStart + last.segment.StoredLength - first.segment.StoredStart, range.StoredLength);
            Assert.Equal(offset - first.segment.PlainStart, range.Skip);
            Assert.Equal(length, range.Length);
        }, iter: 5_000);
    }

    [Fact]
    public void StoredSizesMapBackToTheirPlaintextSize()
    {
        Gen.Long[0, 40L * S].Sample(size =>
        {
            var layout = Layout(size);
            long stored = layout[^1].StoredStart + layout[^1].StoredLength;
            Assert.Equal(stored, SegmentFormat.StoredSize(size));
            Assert.True(SegmentFormat.TryGetPlaintextSize(stored, out long back));
            Assert.Equal(size, back);
        }, iter: 5_000);
    }

    [Fact]
    public async Task RangedReadsReturnThePlaintextOfTheRange()
    {
        byte[] key = CryptoTestData.NewObjectKey(7);
        var cases = Gen.Int[1, 3 * S].SelectMany(size => Gen.Select(Gen.Const(size), Gen.Int[0, size - 1], Gen.Int, Gen.Int[0, 99]));
        await cases.SampleAsync(async (size, offset, seed, lengthPercent) =>
        {
            byte[] plaintext = CryptoTestData.RandomBytes(size, seed);
            byte[] stored = CryptoTestData.Encrypt(key, plaintext);
            var range = new ByteRange(offset, Math.Max(1, (size - offset) * lengthPercent / 100));

            using ObjectReader reader = await ObjectReader.OpenAsync(new StoredBytes(stored), size, range, key);
            var read = new List<byte>();
            for (ReadOnlyMemory<byte> chunk; !(chunk = await reader.ReadAsync()).IsEmpty;)
            {
                read.AddRange(chunk.ToArray());
            }

            Assert.Equal(plaintext.AsSpan(offset, (int)range.Length).ToArray(), read.ToArray());
        }, iter: 60);
    }
}
