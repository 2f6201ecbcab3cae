using System.Buffers.Text;
using FastS3.Api;
using FastS3.Crypto;

namespace FastS3.Fuzz;

/// <summary>
/// Range header resolution against an object size, and for encrypted objects the segments and
/// stored bytes that range needs: whatever the header, the answer stays inside the object.
/// </summary>
internal static class ByteRangeTarget
{
    /// <summary>Input: "size\n", then the Range header value.</summary>
    public static void Run(byte[] input)
    {
        ReadOnlySpan<byte> text = input;
        int newline = text.IndexOf((byte)'\n');
        if (newline < 0 || !Utf8Parser.TryParse(text[..newline], out long size, out int consumed) || consumed != newline || size < 0)
        {
            return;
        }

        ByteRange.Outcome outcome = ByteRange.Resolve(text[(newline + 1)..], size, out ByteRange range);
        bool valid = outcome switch
        {
            ByteRange.Outcome.Whole => range == new ByteRange(0, size),
            ByteRange.Outcome.Partial => range.Start >= 0 && range.Length >= 1 && range.End < size,
            _ => true,
        };
        if (!valid)
        {
            throw new FuzzFailure($"{outcome} {range} for size {size}");
        }

        if (outcome == ByteRange.Outcome.Partial && size <= SegmentFormat.MaxPlaintextSize)
        {
            CheckSegments(size, range);
        }
    }

    private static void CheckSegments(long size, ByteRange range)
    {
        SegmentRange segments = SegmentFormat.GetRange(size, range.Start, range.Length);
        long count = SegmentFormat.SegmentCount(size);
        long plaintextStart = segments.FirstSegment * SegmentFormat.SegmentSize;
        long plaintextEnd = (segments.LastSegment * SegmentFormat.SegmentSize) + SegmentFormat.SegmentPlaintextLength(size, segments.LastSegment);
        bool valid = segments.FirstSegment >= 0 && segments.LastSegment < count && segments.FirstSegment <= segments.LastSegment
            && segments.LastIsFinal == (segments.LastSegment == count - 1)
            && plaintextStart <= range.Start && range.End < plaintextEnd
            && segments.Skip == range.Start - plaintextStart && segments.Length == range.Length
            && segments.StoredOffset == SegmentFormat.StoredSegmentOffset(segments.FirstSegment)
            && segments.StoredOffset + segments.StoredLength <= SegmentFormat.StoredSize(size);
        if (!valid)
        {
            throw new FuzzFailure($"{segments} for {range} of {size}");
        }
    }
}
