using System.Diagnostics;
using HdrHistogram;

namespace FastS3.Load.Scenarios;

/// <summary>Runs one plan with one worker per connection until its limits, with live progress, and merges the workers' numbers.</summary>
internal static class ScenarioRunner
{
    public static async Task<Measurement> RunAsync(HttpMessageInvoker client, RequestPlan plan, RunLimits limits, string? progressLabel, CancellationToken cancellationToken)
    {
        var budget = new RunBudget(limits.Requests ?? long.MaxValue);
        WorkerStats[] stats = Enumerable.Range(0, limits.Connections).Select(_ => new WorkerStats()).ToArray();
        HistogramBase latency = WorkerStats.NewHistogram();
        var progress = progressLabel is null ? null : new ProgressLine(progressLabel);

        // Ctrl+C and the duration stop handing out requests; only the hard cap cuts requests in flight.
        TimeSpan hardCap = limits.Duration is { } d ? Min(d + RunLimits.Grace, RunLimits.HardCap) : RunLimits.HardCap;
        using var abort = new CancellationTokenSource(hardCap);
        using CancellationTokenRegistration stopOnCtrlC = cancellationToken.Register(budget.Stop);
        using var stopTimer = limits.Duration is { } duration ? new Timer(_ => budget.Stop(), null, duration, Timeout.InfiniteTimeSpan) : null;

        using var process = Process.GetCurrentProcess();
        TimeSpan cpuStart = process.TotalProcessorTime;
        long allocatedStart = GC.GetTotalAllocatedBytes(precise: false);
        long started = Stopwatch.GetTimestamp();

        Task all = Task.WhenAll(stats.Select(s => Task.Run(() => Worker.RunAsync(client, plan, budget, s, abort.Token), CancellationToken.None)));
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None)).ConfigureAwait(false);
            if (progress is not null && !all.IsCompleted)
            {
                foreach (WorkerStats s in stats)
                {
                    s.DrainInto(latency);
                }

                progress.Update(Stopwatch.GetElapsedTime(started), stats.Sum(s => s.Requests), stats.Sum(s => s.StreamedBytes), stats.Sum(s => s.Errors),
                    latency.TotalCount == 0 ? 0 : latency.GetValueAtPercentile(99) / 1000.0);
            }
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpuStart;
        long allocated = GC.GetTotalAllocatedBytes(precise: false) - allocatedStart;
        progress?.Done();
        await all.ConfigureAwait(false);

        var errorsByStatus = new Dictionary<int, long>();
        foreach (WorkerStats s in stats)
        {
            s.DrainInto(latency);
            foreach ((int status, long count) in s.ErrorsByStatus)
            {
                errorsByStatus[status] = errorsByStatus.GetValueOrDefault(status) + count;
            }
        }

        return new Measurement(stats.Sum(s => s.Requests), stats.Sum(s => s.Errors), errorsByStatus, stats.Select(s => s.FirstError).FirstOrDefault(e => e is not null),
            stats.Sum(s => s.Bytes), elapsed, latency, cpu, allocated);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
