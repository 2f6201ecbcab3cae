using System.Globalization;
using System.Text;

namespace FastS3.Load.Reporting;

/// <summary>
/// report.md plus PNG charts: per scenario a table of medians with every target side by side and its ratio to
/// the first target, then every round as measured.
/// </summary>
internal static class MarkdownReport
{
    public static string Write(string directory, IReadOnlyList<ResultsFile> files, IReadOnlyList<string> sources)
    {
        Directory.CreateDirectory(directory);
        List<ScenarioResult> results = files.SelectMany(f => f.Results).ToList();
        List<string> targets = TargetOrder(files, results);
        List<(string Scenario, List<Summary> Targets)> scenarios = Summary.Build(results, targets);

        var md = new StringBuilder();
        md.AppendLine("# FastS3 load report").AppendLine();
        md.AppendLine(Invariant($"Generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC by `fasts3-load` from {string.Join(", ", sources.Select(s => $"`{Path.GetFileName(s)}`"))}."));
        foreach (ResultsFile file in files)
        {
            md.AppendLine(Invariant($"Run started {file.Started:yyyy-MM-dd HH:mm:ss} UTC on {file.Machine}, {file.ProcessorCount} cores: `fasts3-load {file.CommandLine}`"));
        }

        md.AppendLine().AppendLine("Each number is the median over rounds; latency covers successful requests only, from sending the request to the last byte of the response. "
            + "MB/s counts object bytes moved (10^6 B/s). The client shares the machine's cores with the server: compare ratios, not absolute numbers.").AppendLine();
        md.AppendLine("Targets: " + string.Join(", ", files.SelectMany(f => f.Targets).DistinctBy(t => t.Name).Select(t => $"**{t.Name}** `{t.Url}`{(t.Static ? " (static file)" : "")}")) + ".").AppendLine();

        AppendOverview(md, scenarios, targets);
        if (targets.Count > 1)
        {
            md.AppendLine($"![ratios]({Charts.Ratios(directory, scenarios, targets)})").AppendLine();
        }

        foreach ((string scenario, List<Summary> summaries) in scenarios)
        {
            AppendScenario(md, directory, scenario, summaries);
        }

        AppendRounds(md, results);
        string path = Path.Combine(directory, "report.md");
        File.WriteAllText(path, md.ToString());
        return path;
    }

    /// <summary>The overview table alone, for the console at the end of a run.</summary>
    public static string Overview(IReadOnlyList<ScenarioResult> results, IReadOnlyList<string> targets)
    {
        var md = new StringBuilder();
        AppendOverview(md, Summary.Build(results, targets), targets);
        return md.ToString();
    }

    private static void AppendOverview(StringBuilder md, List<(string Scenario, List<Summary> Targets)> scenarios, IReadOnlyList<string> targets)
    {
        md.AppendLine("## Overview (median; MB/s from 1 MiB objects up, req/s below)").AppendLine();
        md.Append("| scenario | unit | ").Append(string.Join(" | ", targets));
        md.AppendLine(targets.Count > 1 ? " | " + string.Join(" | ", targets.Skip(1).Select(t => $"{t}/{targets[0]}")) + " |" : " |");
        md.AppendLine("|---|---|" + string.Concat(Enumerable.Repeat("---:|", targets.Count + Math.Max(0, targets.Count - 1))));
        foreach ((string scenario, List<Summary> summaries) in scenarios)
        {
            Summary? baseline = summaries.FirstOrDefault(s => s.Target == targets[0]);
            var cells = targets.Select(t => summaries.FirstOrDefault(s => s.Target == t)).ToList();
            bool bytes = summaries[0].SizeBytes >= 1 << 20;
            md.Append($"| {scenario} | {(bytes ? "MB/s" : "req/s")} | ")
                .Append(string.Join(" | ", cells.Select(s => s is null ? "–" : Rate(bytes ? s.MegabytesPerSecond : s.RequestsPerSecond))));
            if (targets.Count > 1)
            {
                md.Append(" | ").Append(string.Join(" | ", cells.Skip(1).Select(s => Ratio(s?.RequestsPerSecond, baseline?.RequestsPerSecond))));
            }

            md.AppendLine(" |");
        }

        md.AppendLine();
    }

    private static void AppendScenario(StringBuilder md, string directory, string scenario, List<Summary> summaries)
    {
        Summary first = summaries[0];
        md.AppendLine(Invariant($"## {scenario}")).AppendLine();
        md.AppendLine(Invariant($"Object size {Cli.ByteSize.Format(first.SizeBytes)}, SSE-C {(first.SseC ? "on" : "off")}, {first.Connections} connections, {first.Rounds} round(s).")).AppendLine();
        md.AppendLine("| target | req/s | (min–max) | MB/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | client cores | req/s ratio | p99 ratio |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Summary s in summaries)
        {
            md.AppendLine(Invariant($"| {s.Target} | {Rate(s.RequestsPerSecond)} | {Rate(s.MinRequestsPerSecond)}–{Rate(s.MaxRequestsPerSecond)} | {s.MegabytesPerSecond:F1} | {s.P50Ms:F2} | {s.P90Ms:F2} | {s.P99Ms:F2} | {s.P999Ms:F2} | {s.MaxMs:F2} | {s.Errors} | {s.ClientCores:F2} | {Ratio(s.RequestsPerSecond, first.RequestsPerSecond)} | {Ratio(s.P99Ms, first.P99Ms)} |"));
        }

        md.AppendLine();
        md.AppendLine($"![{scenario} throughput]({Charts.Throughput(directory, scenario, summaries)}) ![{scenario} latency]({Charts.Latency(directory, scenario, summaries)})").AppendLine();
    }

    private static void AppendRounds(StringBuilder md, List<ScenarioResult> results)
    {
        md.AppendLine("## Every run").AppendLine();
        md.AppendLine("| scenario | target | round | s | requests | req/s | MB/s | p50 ms | p99 ms | p99.9 ms | max ms | errors by status | client cores | alloc B/req | auth |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|");
        foreach (ScenarioResult r in results)
        {
            string errors = r.ErrorsByStatus.Count == 0 ? "–" : string.Join(", ", r.ErrorsByStatus.Select(e => $"{e.Key}: {e.Value}"));
            md.AppendLine(Invariant($"| {r.Scenario} | {r.Target} | {r.Round} | {r.DurationSeconds:F1} | {r.Requests} | {Rate(r.RequestsPerSecond)} | {r.MegabytesPerSecond:F1} | {r.P50Ms:F2} | {r.P99Ms:F2} | {r.P999Ms:F2} | {r.MaxMs:F2} | {errors} | {r.ClientCores:F2} | {r.AllocatedBytesPerRequest:F0} | {r.Auth} |"));
        }
    }

    private static List<string> TargetOrder(IReadOnlyList<ResultsFile> files, List<ScenarioResult> results) =>
        files.SelectMany(f => f.Targets.Select(t => t.Name)).Concat(results.Select(r => r.Target)).Distinct().ToList();

    private static string Ratio(double? value, double? baseline) =>
        value is null || baseline is null or 0 ? "–" : Invariant($"{value / baseline:F2}×");

    /// <summary>Whole numbers for small-object rates, two decimals for the few-per-second of 1 GiB objects.</summary>
    private static string Rate(double value) => Invariant($"{value.ToString(value >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture)}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
