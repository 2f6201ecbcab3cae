namespace FastS3.Storage;

/// <summary>
/// What the indexes sharing one <see cref="Index.OrderedIndexOptions"/> (a server's) have done since
/// start: commit groups and the writes they carried (their ratio is the group-commit size),
/// memtable flushes and compactions. Counted once per group or background step, never per read.
/// </summary>
public sealed class IndexCounters
{
    private long _commitGroups;
    private long _committedWrites;
    private long _flushes;
    private long _compactions;

    /// <summary>Write-ahead-log appends made durable, each carrying one group of concurrent writes.</summary>
    public long CommitGroups => Volatile.Read(ref _commitGroups);

    public long CommittedWrites => Volatile.Read(ref _committedWrites);

    public long Flushes => Volatile.Read(ref _flushes);

    public long Compactions => Volatile.Read(ref _compactions);

    internal void OnCommitted(int writes)
    {
        Interlocked.Increment(ref _commitGroups);
        Interlocked.Add(ref _committedWrites, writes);
    }

    internal void OnFlushed() => Interlocked.Increment(ref _flushes);

    internal void OnCompacted() => Interlocked.Increment(ref _compactions);
}
