using System.Buffers.Text;

namespace FastS3.Api;

/// <summary>
/// A single "Range: bytes=..." request resolved against an object's size, as S3 does it: one range
/// only; a header that does not parse is ignored (the whole object is sent); a range starting at or
/// past the end is 416 InvalidRange; an end past the object is clamped; "-n" is the last n bytes.
/// </summary>
public readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;

    public enum Outcome : byte
    {
        /// <summary>No usable Range header: answer 200 with the whole object.</summary>
        Whole,

        /// <summary>Answer 206 with <see cref="ByteRange"/>.</summary>
        Partial,

        /// <summary>Answer 416 InvalidRange.</summary>
        Unsatisfiable,
    }

    public static Outcome Resolve(ReadOnlySpan<byte> header, long size, out ByteRange range)
    {
        range = new ByteRange(0, size);
        if (!header.StartsWith("bytes="u8))
        {
            return Outcome.Whole;
        }

        ReadOnlySpan<byte> spec = header[6..].Trim((byte)' ');
        int dash = spec.IndexOf((byte)'-');
        if (dash < 0 || spec.IndexOf((byte)',') >= 0)
        {
            return Outcome.Whole;
        }

        ReadOnlySpan<byte> first = spec[..dash];
        ReadOnlySpan<byte> last = spec[(dash + 1)..];
        if (first.IsEmpty)
        {
            // Suffix: the last n bytes.
            if (!TryParse(last, out long suffix))
            {
                return Outcome.Whole;
            }

            if (suffix == 0 || size == 0)
            {
                return Outcome.Unsatisfiable;
            }

            long take = Math.Min(suffix, size);
            range = new ByteRange(size - take, take);
            return Outcome.Partial;
        }

        if (!TryParse(first, out long start))
        {
            return Outcome.Whole;
        }

        long end = size - 1;
        if (!last.IsEmpty)
        {
            if (!TryParse(last, out end) || end < start)
            {
                return Outcome.Whole;
            }

            end = Math.Min(end, size - 1);
        }

        if (start >= size)
        {
            return Outcome.Unsatisfiable;
        }

        range = new ByteRange(start, end - start + 1);
        return Outcome.Partial;
    }

    private static bool TryParse(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        return !digits.IsEmpty && digits.Length <= 18 && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0
            && Utf8Parser.TryParse(digits, out value, out int consumed) && consumed == digits.Length;
    }
}
