namespace FastS3.Storage.Disk.Index;

public sealed class OrderedIndexOptions
{
    /// <summary>Key and value bytes the memtable holds before it is frozen and flushed to a table.</summary>
    public long MemtableSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>Tables beyond this start a background compaction; every read may visit each table once.</summary>
    public int MaxTables { get; init; } = 4;

    /// <summary>Target size of a table's data blocks, the unit of every table read.</summary>
    public int BlockSize { get; init; } = 4 * 1024;

    /// <summary>Frozen memtables waiting for their flush; beyond this, commits wait (backpressure).</summary>
    public int MaxFrozenMemtables { get; init; } = 2;

    /// <summary>Where the indexes opened with these options count their commits, flushes and compactions.</summary>
    public IndexCounters Counters { get; init; } = new();

    /// <summary>Called at each <see cref="IndexFaultPoint"/>; tests throw from it to simulate a crash there.</summary>
    internal Action<IndexFaultPoint>? FaultHook { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MemtableSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTables, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(BlockSize, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxFrozenMemtables, 1);
    }
}
