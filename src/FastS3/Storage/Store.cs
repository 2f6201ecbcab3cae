namespace FastS3.Storage;

/// <summary>
/// The bucket catalogue: what the S3 layer stores into, whatever keeps it (see
/// <see cref="Disk.DiskStore"/> for the embedded one). Bucket names reaching it are valid
/// <see cref="BucketName"/>s; a backend checks again wherever a name becomes a path or a request.
/// </summary>
public abstract class Store : IAsyncDisposable
{
    protected Store(StoreOptions options) => Options = options;

    public StoreOptions Options { get; }

    /// <summary>Where the store keeps its data, for operators (the metrics' drive label).</summary>
    public abstract string Location { get; }

    /// <summary>The size of the store's space and the bytes left there for this process.</summary>
    public abstract (long Total, long Available) Space();

    /// <summary>All buckets in name order.</summary>
    public abstract IReadOnlyList<(string Name, DateTimeOffset Created)> ListBuckets();

    /// <summary>The bucket called <paramref name="name"/> (ASCII bytes from the request), or null.</summary>
    public abstract Bucket? FindBucket(ReadOnlySpan<byte> name);

    /// <summary>Creates a bucket atomically (it exists whole or not at all); false when it exists.</summary>
    public abstract bool TryCreateBucket(string name);

    /// <summary>Removes <paramref name="bucket"/> if it is empty (false otherwise); it disappears at once.</summary>
    public abstract ValueTask<bool> TryDeleteBucketAsync(Bucket bucket);

    /// <summary>The value of server state item <paramref name="name"/> (see <see cref="StateName"/>), or null when it has none.</summary>
    public abstract byte[]? ReadState(string name);

    /// <summary>
    /// Replaces server state item <paramref name="name"/> (the KMS key ring) with <paramref name="value"/>,
    /// durably, only if it still holds <paramref name="expected"/> (null: only if it has no value): so
    /// two writers that read the same value cannot both apply, on one node or many. False when it holds
    /// something else now.
    /// </summary>
    public abstract bool TryReplaceState(string name, byte[]? expected, byte[] value);

    public abstract ValueTask DisposeAsync();
}
