using System.Globalization;

namespace FastS3.Load.Cli;

/// <summary>Durations as the CLI writes them: <c>500ms</c>, <c>10s</c>, <c>2m</c>, or plain seconds.</summary>
internal static class DurationText
{
    public static TimeSpan Parse(string text)
    {
        string t = text.Trim();
        (string suffix, double seconds)[] units = [("ms", 0.001), ("s", 1), ("m", 60)];
        foreach ((string suffix, double seconds) in units)
        {
            if (t.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(t.AsSpan(0, t.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out double n) && n >= 0)
            {
                return TimeSpan.FromSeconds(n * seconds);
            }
        }

        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double plain) && plain >= 0
            ? TimeSpan.FromSeconds(plain)
            : throw new FormatException($"duration '{text}': expected e.g. 500ms, 10s, 2m");
    }
}
