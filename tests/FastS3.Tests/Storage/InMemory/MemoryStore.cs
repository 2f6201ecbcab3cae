using System.Collections.Concurrent;
using System.Text;
using FastS3.Storage;

namespace FastS3.Tests.Storage.InMemory;

/// <summary>
/// The seam's second implementation: everything in memory, nothing on disk. The S3 suite that does
/// not need a real disk runs against it too (FASTS3_TEST_STORE=memory, see <c>InProcessServer</c>),
/// which shows the S3 layer depends on the seam's promises and not on how the disk store keeps them.
/// </summary>
internal sealed class MemoryStore(StoreOptions options) : Store(options)
{
    private readonly Lock _changes = new();
    private readonly SortedDictionary<string, MemoryBucket> _buckets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _state = new(StringComparer.Ordinal);

    /// <summary>Every bucket's writers not yet committed or disposed: store-wide, as the disk store's temp directory is.</summary>
    private readonly ConcurrentDictionary<IDataWriter, byte> _unfinished = new();

    public override string Location => "memory";

    /// <summary>The bytes written so far of each write started and neither committed nor disposed.</summary>
    public IReadOnlyList<long> UnfinishedWrites => [.. _unfinished.Keys.Select(writer => writer.Length)];

    public override (long Total, long Available) Space()
    {
        long total = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return (total, total - GC.GetTotalMemory(forceFullCollection: false));
    }

    public override IReadOnlyList<(string Name, DateTimeOffset Created)> ListBuckets()
    {
        lock (_changes)
        {
            return [.. _buckets.Values.Select(bucket => (bucket.Name, bucket.Created))];
        }
    }

    public override Bucket? FindBucket(ReadOnlySpan<byte> name)
    {
        if (!BucketName.IsValid(name))
        {
            return null;
        }

        lock (_changes)
        {
            return _buckets.GetValueOrDefault(Encoding.ASCII.GetString(name));
        }
    }

    /// <summary>The bucket named <paramref name="name"/>, which must be there.</summary>
    public MemoryBucket Bucket(string name)
    {
        lock (_changes)
        {
            return _buckets[name];
        }
    }

    public override bool TryCreateBucket(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_changes)
        {
            return BucketName.IsValid(name) && _buckets.TryAdd(name, new MemoryBucket(name, Options, _unfinished));
        }
    }

    public override ValueTask<bool> TryDeleteBucketAsync(Bucket bucket)
    {
        lock (_changes)
        {
            if (!bucket.IsEmpty)
            {
                return ValueTask.FromResult(false);
            }

            bucket.MarkDeleted();
            return ValueTask.FromResult(_buckets.Remove(bucket.Name));
        }
    }

    public override byte[]? ReadState(string name)
    {
        lock (_changes)
        {
            return _state.GetValueOrDefault(StateName.Check(name));
        }
    }

    public override bool TryReplaceState(string name, byte[]? expected, byte[] value)
    {
        lock (_changes)
        {
            byte[]? current = _state.GetValueOrDefault(StateName.Check(name));
            if (expected is null ? current is not null : current is null || !current.AsSpan().SequenceEqual(expected))
            {
                return false;
            }

            _state[name] = value.ToArray();
            return true;
        }
    }

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
