using System.Text;
using FastS3.Api;

namespace FastS3.Tests;

public class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-9", 100, 0, 10)]
    [InlineData("bytes=10-", 100, 10, 90)]
    [InlineData("bytes=-10", 100, 90, 10)]
    [InlineData("bytes=-1000", 100, 0, 100)]
    [InlineData("bytes=90-1000", 100, 90, 10)]
    [InlineData("bytes=99-99", 100, 99, 1)]
    [InlineData("bytes=0-0", 1, 0, 1)]
    public void PartialRanges(string header, long size, long start, long length)
    {
        Assert.Equal(ByteRange.Outcome.Partial, ByteRange.Resolve(Encoding.ASCII.GetBytes(header), size, out ByteRange range));
        Assert.Equal(new ByteRange(start, length), range);
    }

    [Theory]
    [InlineData("bytes=100-", 100)]
    [InlineData("bytes=100-200", 100)]
    [InlineData("bytes=-0", 100)]
    [InlineData("bytes=0-", 0)]
    [InlineData("bytes=-5", 0)]
    public void UnsatisfiableRanges(string header, long size)
        => Assert.Equal(ByteRange.Outcome.Unsatisfiable, ByteRange.Resolve(Encoding.ASCII.GetBytes(header), size, out _));

    [Theory]
    [InlineData("")]
    [InlineData("bytes=")]
    [InlineData("bytes=5")]
    [InlineData("bytes=9-5")]
    [InlineData("bytes=a-b")]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("items=0-5")]
    [InlineData("bytes=--5")]
    [InlineData("bytes=99999999999999999999-")]
    public void MalformedRangesAreIgnored(string header)
    {
        Assert.Equal(ByteRange.Outcome.Whole, ByteRange.Resolve(Encoding.ASCII.GetBytes(header), 100, out ByteRange range));
        Assert.Equal(new ByteRange(0, 100), range);
    }
}
