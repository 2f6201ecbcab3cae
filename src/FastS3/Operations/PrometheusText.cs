using System.Globalization;
using System.Text;

namespace FastS3.Operations;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: each family once, its HELP and
/// TYPE lines, then its samples, every one carrying the constant labels (MinIO's <c>server</c>).
/// Label values are escaped as the format requires.
/// </summary>
internal sealed class PrometheusText(string constantLabels)
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new(16 * 1024);

    public void Family(string name, string type, string help)
        => _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    public void Sample(string name, double value) => Sample(name, value, []);

    public void Sample(string name, double value, params ReadOnlySpan<(string Name, string Value)> labels)
    {
        _text.Append(name).Append('{').Append(constantLabels);
        foreach ((string label, string labelValue) in labels)
        {
            AppendLabel(_text.Append(','), label, labelValue);
        }

        _text.Append("} ").Append(Format(value)).Append('\n');
    }

    /// <summary>A family of one unlabelled sample.</summary>
    public void Single(string name, string type, string help, double value)
    {
        Family(name, type, help);
        Sample(name, value);
    }

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    /// <summary>The constant labels part of every sample: <c>name="value"</c> pairs, escaped.</summary>
    public static string Labels(params ReadOnlySpan<(string Name, string Value)> labels)
    {
        var text = new StringBuilder();
        foreach ((string name, string value) in labels)
        {
            AppendLabel(text.Append(text.Length == 0 ? "" : ","), name, value);
        }

        return text.ToString();
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void AppendLabel(StringBuilder text, string name, string value)
    {
        text.Append(name).Append("=\"");
        foreach (char c in value)
        {
            _ = c switch
            {
                '\\' => text.Append("\\\\"),
                '"' => text.Append("\\\""),
                '\n' => text.Append("\\n"),
                _ => text.Append(c),
            };
        }

        text.Append('"');
    }
}
