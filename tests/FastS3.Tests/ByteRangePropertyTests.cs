using System.Text;
using CsCheck;
using FastS3.Api;

namespace FastS3.Tests;

/// <summary>Range resolution against a straightforward model of RFC 9110 single ranges as S3 applies them.</summary>
public class ByteRangePropertyTests
{
    private const long MaxNumber = 1_000_000_000_000_000_000;

    private static readonly Gen<long> Size = Gen.Frequency((3, (IGen<long>)Gen.Long[0, 300]), (1, Gen.Long[0, long.MaxValue]));

    // A position near the size, or anywhere.
    private static Gen<long> Position(long size) => Gen.Frequency((3, (IGen<long>)Gen.Long[0, size + 5]), (1, Gen.Long[0, long.MaxValue]));

    [Fact]
    public void ResolveMatchesTheModel()
    {
        var cases = Size.SelectMany(size => Gen.Select(Gen.Const(size), Position(size), Position(size), Gen.Int[0, 2]));
        cases.Sample((size, a, b, form) =>
        {
            string header = form switch
            {
                0 => $"bytes={a}-{b}",
                1 => $"bytes={a}-",
                _ => $"bytes=-{b}",
            };
            var (outcome, range) = Model(size, form, a, b);

            Assert.Equal(outcome, ByteRange.Resolve(Encoding.ASCII.GetBytes(header), size, out ByteRange actual));
            Assert.Equal(range, actual);
        }, iter: 20_000);
    }

    private static (ByteRange.Outcome, ByteRange) Model(long size, int form, long first, long last)
    {
        var whole = (ByteRange.Outcome.Whole, new ByteRange(0, size));
        if ((form != 2 && first >= MaxNumber) || (form != 1 && last >= MaxNumber))
        {
            // Numbers of 19 digits or more are not parsed: the header is ignored.
            return whole;
        }

        if (form == 2)
        {
            // The last n bytes; none of an empty object, and "-0" names no byte.
            return last == 0 || size == 0 ? (ByteRange.Outcome.Unsatisfiable, new ByteRange(0, size)) : (ByteRange.Outcome.Partial, new ByteRange(size - Math.Min(last, size), Math.Min(last, size)));
        }

        long end = form == 1 ? size - 1 : last;
        if (end < first)
        {
            return form == 1 && first >= size ? (ByteRange.Outcome.Unsatisfiable, new ByteRange(0, size)) : whole;
        }

        if (first >= size)
        {
            return (ByteRange.Outcome.Unsatisfiable, new ByteRange(0, size));
        }

        end = Math.Min(end, size - 1);
        return (ByteRange.Outcome.Partial, new ByteRange(first, end - first + 1));
    }
}
