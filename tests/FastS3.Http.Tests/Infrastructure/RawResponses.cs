using System.Text.RegularExpressions;

namespace FastS3.Http.Tests.Infrastructure;

/// <summary>Reads status codes and headers out of raw response text.</summary>
internal static partial class RawResponses
{
    public static int[] StatusCodes(string raw)
        => StatusLine().Matches(raw).Select(m => int.Parse(m.Groups[1].Value)).ToArray();

    public static int Status(string raw)
    {
        int[] codes = StatusCodes(raw);
        Assert.Single(codes);
        return codes[0];
    }

    [GeneratedRegex(@"HTTP/1\.1 (\d{3}) [^\r\n]*\r\n", RegexOptions.CultureInvariant)]
    private static partial Regex StatusLine();
}
