using System.Text.RegularExpressions;

namespace FastS3.Testing;

/// <summary>Reads status codes and headers out of raw response text.</summary>
public static partial class RawResponses
{
    public static int[] StatusCodes(string raw)
        => StatusLine().Matches(raw).Select(m => int.Parse(m.Groups[1].Value)).ToArray();

    public static int Status(string raw)
    {
        int[] codes = StatusCodes(raw);
        return codes.Length == 1 ? codes[0] : throw new InvalidOperationException($"expected one response, got {codes.Length}:\n{raw}");
    }

    [GeneratedRegex(@"HTTP/1\.1 (\d{3}) [^\r\n]*\r\n", RegexOptions.CultureInvariant)]
    private static partial Regex StatusLine();
}
