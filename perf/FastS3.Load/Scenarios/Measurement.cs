using HdrHistogram;

namespace FastS3.Load.Scenarios;

/// <summary>One measured run, merged over its workers.</summary>
internal sealed record Measurement(
    long Requests,
    long Errors,
    IReadOnlyDictionary<int, long> ErrorsByStatus,
    string? FirstError,
    long Bytes,
    TimeSpan Elapsed,
    HistogramBase Latency,
    TimeSpan ClientCpu,
    long AllocatedBytes)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    /// <summary>10^6 bytes per second, as curl and the other perf scripts report.</summary>
    public double MegabytesPerSecond => Bytes / Elapsed.TotalSeconds / 1e6;

    public double PercentileMs(double percentile) => Latency.TotalCount == 0 ? 0 : Latency.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxMs => Latency.TotalCount == 0 ? 0 : Latency.GetMaxValue() / 1000.0;
}
