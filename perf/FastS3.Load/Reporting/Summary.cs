namespace FastS3.Load.Reporting;

/// <summary>Medians over rounds of one case on one target.</summary>
internal sealed record Summary(string Scenario, string Target, int Rounds, long SizeBytes, bool SseC, int Connections,
    double RequestsPerSecond, double MegabytesPerSecond, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs,
    long Errors, double ClientCores, double MinRequestsPerSecond, double MaxRequestsPerSecond)
{
    /// <summary>
    /// Summaries per scenario, scenarios and targets in the order they first appear. Merged files may hold one
    /// scenario at several connection counts: those stay apart, named <c>get-4KiB-c32</c>.
    /// </summary>
    public static List<(string Scenario, List<Summary> Targets)> Build(IReadOnlyList<ScenarioResult> results, IReadOnlyList<string> targetOrder)
    {
        var groups = results.Select(r => (r.Scenario, r.Connections)).Distinct().ToList();
        return groups.Select(g => (
            groups.Count(x => x.Scenario == g.Scenario) > 1 ? $"{g.Scenario}-c{g.Connections}" : g.Scenario,
            targetOrder
                .Select(t => results.Where(r => r.Scenario == g.Scenario && r.Connections == g.Connections && r.Target == t).ToList())
                .Where(runs => runs.Count > 0)
                .Select(Of).ToList())).ToList();
    }

    private static Summary Of(List<ScenarioResult> runs)
    {
        ScenarioResult first = runs[0];
        return new Summary(first.Scenario, first.Target, runs.Count, first.SizeBytes, first.SseC, first.Connections,
            Median(runs, r => r.RequestsPerSecond), Median(runs, r => r.MegabytesPerSecond), Median(runs, r => r.P50Ms),
            Median(runs, r => r.P90Ms), Median(runs, r => r.P99Ms), Median(runs, r => r.P999Ms), Median(runs, r => r.MaxMs),
            runs.Sum(r => r.Errors), Median(runs, r => r.ClientCores), runs.Min(r => r.RequestsPerSecond), runs.Max(r => r.RequestsPerSecond));
    }

    public static double Median(IEnumerable<ScenarioResult> runs, Func<ScenarioResult, double> value)
    {
        double[] sorted = runs.Select(value).Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
