using System.Text;
using FastS3.Storage;

namespace FastS3.Operations;

/// <summary>
/// Objects and bytes per bucket, measured by scanning the indexes in the background at most once
/// per <see cref="MaxAge"/>, as MinIO's scanner feeds its usage metrics: a scrape never pays for
/// more than a short wait on the first measurement, and then gets the latest one.
/// </summary>
internal sealed class BucketUsage(Store store)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    /// <summary>How long a scrape waits for a measurement under way before it takes the previous one.</summary>
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private Snapshot? _latest;
    private Task<Snapshot>? _measuring;

    public async Task<Snapshot?> GetAsync()
    {
        Task<Snapshot> measuring;
        lock (_gate)
        {
            if (_latest is { } latest && DateTimeOffset.UtcNow - latest.Taken < MaxAge)
            {
                return latest;
            }

            _measuring ??= Task.Run(Measure);
            measuring = _measuring;
        }

        await Task.WhenAny(measuring, Task.Delay(Wait));
        lock (_gate)
        {
            if (measuring.IsCompleted)
            {
                _latest = measuring.IsCompletedSuccessfully ? measuring.Result : _latest;
                _measuring = null;
            }

            return _latest;
        }
    }

    private Snapshot Measure()
    {
        var buckets = new List<(string, long, long)>();
        foreach ((string name, _) in store.ListBuckets())
        {
            if (store.FindBucket(Encoding.ASCII.GetBytes(name)) is { } bucket)
            {
                (long objects, long bytes) = bucket.MeasureUsage();
                buckets.Add((name, objects, bytes));
            }
        }

        return new Snapshot(DateTimeOffset.UtcNow, buckets);
    }

    /// <summary>Every bucket that existed when it was taken, in name order.</summary>
    public sealed record Snapshot(DateTimeOffset Taken, IReadOnlyList<(string Bucket, long Objects, long Bytes)> Buckets);
}
