using System.Globalization;
using FastS3.Load.Cli;
using FastS3.Load.Client;
using FastS3.Load.Reporting;

namespace FastS3.Load.Scenarios;

/// <summary>
/// Runs every case against every target for N rounds. Targets alternate, and their order flips every round,
/// so slow drift of the machine (page cache, thermal, a neighbour) falls on all targets alike.
/// </summary>
internal sealed class Campaign(LoadSettings settings, IReadOnlyList<Target> targets)
{
    /// <summary>Presigned URLs are made fresh before every run, and no run outlives the hard cap.</summary>
    private static readonly TimeSpan UrlValidity = TimeSpan.FromHours(1);

    private readonly (string Name, string Value)[] _sseC = settings.SseC ? SseCKey.NewHeaders() : [];

    public async Task<List<ScenarioResult>> RunAsync(CancellationToken cancellationToken)
    {
        var sessions = targets.Select(t => TargetSession.Open(t, settings.Limits.Connections, settings.Insecure, settings.Region)).ToList();
        try
        {
            foreach (TargetSession session in sessions.Where(s => !s.Target.IsStatic))
            {
                await PrepareAsync(session, cancellationToken).ConfigureAwait(false);
            }

            var results = new List<ScenarioResult>();
            for (int round = 1; round <= settings.Rounds && !cancellationToken.IsCancellationRequested; round++)
            {
                IEnumerable<TargetSession> order = round % 2 == 1 ? sessions : Enumerable.Reverse(sessions);
                foreach (ScenarioCase c in settings.Cases)
                {
                    foreach (TargetSession session in order.Where(s => !s.Target.IsStatic || c.Kind == ScenarioKind.Get))
                    {
                        if (cancellationToken.IsCancellationRequested)
                        {
                            break;
                        }

                        results.Add(await MeasureAsync(session, c, round, cancellationToken).ConfigureAwait(false));
                    }
                }
            }

            return results;
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }
    }

    private async Task PrepareAsync(TargetSession session, CancellationToken cancellationToken)
    {
        if (settings.CreateBucket)
        {
            await session.CreateBucketAsync(settings.Bucket, cancellationToken).ConfigureAwait(false);
        }

        foreach (ScenarioCase c in settings.Cases.Where(c => c.NeedsObjects).DistinctBy(c => c.Size))
        {
            KeySpace keys = Keys(c);
            Console.Error.WriteLine($"{session.Target.Name}: writing {keys.Objects} x {ByteSize.Format(c.Size)} objects under {settings.Bucket}/{keys.Prefix}");
            var plan = new RequestPlan(Factory(session, HttpMethod.Put, keys.ReadKeys(), c.Size, _sseC));
            Measurement m = await ScenarioRunner.RunAsync(session.Client, plan, new RunLimits(Math.Min(settings.Limits.Connections, keys.Objects), null, keys.Objects),
                null, cancellationToken).ConfigureAwait(false);
            if (m.Errors > 0)
            {
                throw new InvalidOperationException($"{session.Target.Name}: {m.Errors} of {keys.Objects} PUTs failed while populating "
                    + $"({string.Join(", ", m.ErrorsByStatus.Select(e => $"{ScenarioResult.StatusName(e.Key)}: {e.Value}"))}) {m.FirstError}");
            }
        }
    }

    private async Task<ScenarioResult> MeasureAsync(TargetSession session, ScenarioCase c, int round, CancellationToken cancellationToken)
    {
        string label = $"[{session.Target.Name} {c.Name} r{round}]";
        if (settings.Warmup > TimeSpan.Zero)
        {
            await ScenarioRunner.RunAsync(session.Client, Plan(session, c), settings.Limits with { Duration = settings.Warmup, Requests = null },
                label + " warm-up", cancellationToken).ConfigureAwait(false);
        }

        Measurement m = await ScenarioRunner.RunAsync(session.Client, Plan(session, c), settings.Limits, label, cancellationToken).ConfigureAwait(false);
        var result = ScenarioResult.From(session.Target.Name, c, round, settings.Limits.Connections, session.Target.IsStatic ? "none" : settings.Auth.ToString().ToLowerInvariant(), m);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label} {result.RequestsPerSecond:F1} req/s  {result.MegabytesPerSecond:F1} MB/s  p50 {result.P50Ms:F2}  p99 {result.P99Ms:F2}  p99.9 {result.P999Ms:F2}  max {result.MaxMs:F2} ms  "
            + $"errors {result.Errors}  client {result.ClientCores:F2} cores, {result.AllocatedBytesPerRequest:F0} B/req"));
        if (m.FirstError is not null)
        {
            Console.Error.WriteLine($"{label} first transport error: {m.FirstError}");
        }

        return result;
    }

    private RequestPlan Plan(TargetSession session, ScenarioCase c)
    {
        if (session.Target.IsStatic)
        {
            return new RequestPlan(RequestFactory.Static(session.Target.Url));
        }

        KeySpace keys = Keys(c);
        return c.Kind switch
        {
            ScenarioKind.Put => new RequestPlan(Factory(session, HttpMethod.Put, keys.WriteKeys(), c.Size, _sseC)),
            ScenarioKind.Get => new RequestPlan(Factory(session, HttpMethod.Get, keys.ReadKeys(), 0, _sseC)),
            ScenarioKind.Head => new RequestPlan(Factory(session, HttpMethod.Head, keys.ReadKeys(), 0, _sseC)),
            ScenarioKind.Mixed => new RequestPlan(Factory(session, HttpMethod.Get, keys.ReadKeys(), 0, _sseC),
                Factory(session, HttpMethod.Put, keys.WriteKeys(), c.Size, _sseC), primaryPercent: 70),
            ScenarioKind.List => new RequestPlan(RequestFactory.S3(session.Target, session.Key, settings.Auth, HttpMethod.Get, settings.Bucket, [],
                [("list-type", "2"), ("max-keys", "1000"), ("prefix", keys.ReadPrefix)], 0, [], UrlValidity)),
            _ => throw new ArgumentOutOfRangeException(nameof(c)),
        };
    }

    private RequestFactory Factory(TargetSession session, HttpMethod method, string[] keys, long bodySize, (string, string)[] headers) =>
        RequestFactory.S3(session.Target, session.Key, settings.Auth, method, settings.Bucket, keys, [], bodySize, headers, UrlValidity);

    private KeySpace Keys(ScenarioCase c) => KeySpace.For(settings.Prefix, c, settings.ObjectsFor(c.Size));
}
