using System.Globalization;

namespace FastS3.Load.Cli;

/// <summary>Object sizes as the CLI writes them: <c>4KiB</c>, <c>1MiB</c>, <c>1GiB</c>, or plain bytes.</summary>
internal static class ByteSize
{
    public const long Min = 1024;
    public const long Max = 1L << 30;

    public static long Parse(string text)
    {
        string t = text.Trim();
        (string suffix, long unit)[] units = [("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("B", 1)];
        foreach ((string suffix, long unit) in units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && long.TryParse(t.AsSpan(0, t.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                return Checked(n * unit, text);
            }
        }

        return long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long bytes)
            ? Checked(bytes, text)
            : throw new FormatException($"size '{text}': expected e.g. 4KiB, 1MiB, 256MiB, 1GiB");
    }

    public static string Format(long bytes) => bytes switch
    {
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30}GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20}MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10}KiB",
        _ => $"{bytes}B",
    };

    private static long Checked(long bytes, string text) => bytes is >= Min and <= Max
        ? bytes
        : throw new FormatException($"size '{text}' is outside 1KiB..1GiB");
}
