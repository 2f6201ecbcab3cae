using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Http.Metrics;

namespace FastS3.Api;

/// <summary>
/// What the S3 layer counts per operation (requests, 4xx and 5xx answers, requests in flight,
/// SSE-C requests, time to first byte in MinIO's buckets) and signature failures by S3 error code.
/// A request costs a few uncontended interlocked adds into counters indexed by
/// <see cref="S3Operation"/>: no allocation, no lock.
/// </summary>
public sealed class S3Metrics
{
    /// <summary>MinIO's time-to-first-byte bucket bounds, in seconds (the last bucket, +Inf, is implicit).</summary>
    public static readonly double[] TtfbBounds = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Distinct failure reasons kept apart; more would only come from codes added later, counted as "other".</summary>
    private const int MaxAuthReasons = 32;

    private const int Requests = 0;
    private const int Errors4xx = 1;
    private const int Errors5xx = 2;
    private const int Inflight = 3;
    private const int SseC = 4;
    private const int TtfbFirst = 5;
    private static readonly int Fields = TtfbFirst + TtfbBounds.Length + 1;
    private static readonly long[] TtfbTicks = [.. TtfbBounds.Select(s => (long)(s * Stopwatch.Frequency))];

    private readonly StripedCounters _counters = new(OperationNames.Count * Fields);
    private readonly ConcurrentDictionary<string, StrongBox<long>> _authFailures = new(StringComparer.Ordinal);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void OnStarted(S3Operation operation) => _counters.Increment(Index(operation, Inflight));

    /// <summary>Counts a request that has been answered with <paramref name="status"/> (its head written, or about to be).</summary>
    public void OnFinished(S3Operation operation, int status, HttpResponse response, long startedAt, bool sseC)
    {
        long firstByte = (response.HasStarted ? response.StartedAt : Stopwatch.GetTimestamp()) - startedAt;
        int bucket = 0;
        while (bucket < TtfbTicks.Length && firstByte > TtfbTicks[bucket])
        {
            bucket++;
        }

        _counters.Add(Index(operation, Inflight), -1);
        _counters.Increment(Index(operation, Requests));
        _counters.Increment(Index(operation, TtfbFirst + bucket));
        if (status >= 400)
        {
            _counters.Increment(Index(operation, status >= 500 ? Errors5xx : Errors4xx));
        }

        if (sseC)
        {
            _counters.Increment(Index(operation, SseC));
        }
    }

    /// <summary>A request refused by signature verification, by the S3 code it got.</summary>
    public void OnAuthFailed(S3Error error)
    {
        // ContainsKey first: Count takes every lock of the dictionary.
        string reason = _authFailures.ContainsKey(error.Code) || _authFailures.Count < MaxAuthReasons ? error.Code : "other";
        Interlocked.Increment(ref _authFailures.GetOrAdd(reason, static _ => new StrongBox<long>()).Value);
    }

    public long RequestCount(S3Operation operation) => _counters.Sum(Index(operation, Requests));

    public long Errors4xxCount(S3Operation operation) => _counters.Sum(Index(operation, Errors4xx));

    public long Errors5xxCount(S3Operation operation) => _counters.Sum(Index(operation, Errors5xx));

    public long InflightCount(S3Operation operation) => _counters.Sum(Index(operation, Inflight));

    public long SseCCount(S3Operation operation) => _counters.Sum(Index(operation, SseC));

    /// <summary>Requests whose first byte came within <see cref="TtfbBounds"/>[bucket] (the last bucket: beyond them all), not cumulative.</summary>
    public long TtfbCount(S3Operation operation, int bucket) => _counters.Sum(Index(operation, TtfbFirst + bucket));

    public IEnumerable<(string Reason, long Count)> AuthFailures()
        => _authFailures.Select(entry => (entry.Key, Volatile.Read(ref entry.Value.Value))).OrderBy(entry => entry.Key, StringComparer.Ordinal);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Index(S3Operation operation, int field) => ((int)operation * Fields) + field;
}
