using System.Text.Json;
using System.Text.Json.Serialization;

namespace FastS3.Load.Reporting;

internal sealed record TargetInfo(string Name, string Url, bool Static);

/// <summary>The JSON a run writes and <c>report</c> reads back.</summary>
internal sealed record ResultsFile(string Tool, DateTimeOffset Started, int ProcessorCount, string Machine, string CommandLine,
    List<TargetInfo> Targets, List<ScenarioResult> Results)
{
    public static ResultsFile Create(IEnumerable<Cli.Target> targets, List<ScenarioResult> results, DateTimeOffset started) => new(
        "fasts3-load", started, Environment.ProcessorCount,
        $"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}",
        string.Join(' ', Environment.GetCommandLineArgs().Skip(1).Select(RedactSecret)),
        targets.Select(t => new TargetInfo(t.Name, t.Url.ToString(), t.IsStatic)).ToList(), results);

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, ResultsJson.Default.ResultsFile));
    }

    public static ResultsFile Read(string path) =>
        JsonSerializer.Deserialize(File.ReadAllText(path), ResultsJson.Default.ResultsFile) ?? throw new InvalidDataException($"{path}: empty");

    /// <summary>A target spec carries the secret key; it must not end up in a results file that gets committed.</summary>
    private static string RedactSecret(string arg)
    {
        string[] parts = arg.Split(',');
        return parts.Length == 3 && parts[0].Contains("://", StringComparison.Ordinal) ? $"{parts[0]},{parts[1]},***" : arg;
    }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ResultsFile))]
internal sealed partial class ResultsJson : JsonSerializerContext;
