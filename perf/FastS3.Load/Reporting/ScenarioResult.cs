using FastS3.Load.Scenarios;

namespace FastS3.Load.Reporting;

/// <summary>One measured run of one case against one target: a row of the JSON results.</summary>
internal sealed record ScenarioResult(
    string Target,
    string Scenario,
    string Kind,
    long SizeBytes,
    bool SseC,
    int Round,
    int Connections,
    string Auth,
    double DurationSeconds,
    long Requests,
    long Errors,
    Dictionary<string, long> ErrorsByStatus,
    double RequestsPerSecond,
    double MegabytesPerSecond,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    double ClientCpuSeconds,
    double ClientCores,
    double AllocatedBytesPerRequest)
{
    public static ScenarioResult From(string target, ScenarioCase c, int round, int connections, string auth, Measurement m) => new(
        target, c.Name, c.Kind.ToString().ToLowerInvariant(), c.Size, c.SseC, round, connections, auth,
        Math.Round(m.Elapsed.TotalSeconds, 3), m.Requests, m.Errors,
        m.ErrorsByStatus.ToDictionary(e => StatusName(e.Key), e => e.Value),
        Math.Round(m.RequestsPerSecond, 1), Math.Round(m.MegabytesPerSecond, 2),
        m.PercentileMs(50), m.PercentileMs(90), m.PercentileMs(99), m.PercentileMs(99.9), m.MaxMs,
        Math.Round(m.ClientCpu.TotalSeconds, 3), Math.Round(m.ClientCpu.TotalSeconds / m.Elapsed.TotalSeconds, 3),
        m.Requests == 0 ? 0 : Math.Round((double)m.AllocatedBytes / m.Requests, 1));

    public static string StatusName(int status) => status switch
    {
        WorkerStats.StatusTransport => "transport",
        WorkerStats.StatusCancelled => "cancelled",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
