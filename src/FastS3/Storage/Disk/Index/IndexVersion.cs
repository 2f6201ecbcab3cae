namespace FastS3.Storage.Disk.Index;

/// <summary>
/// One consistent set of sources: the mutable memtable, frozen memtables waiting for their flush
/// and the tables, each list newest first. Immutable; flushes, compactions and memtable switches
/// install a new one. Readers and iterators hold a reference while they use it, and a table that
/// no live version includes is closed (and deleted if compaction replaced it).
/// </summary>
internal sealed class IndexVersion
{
    private int _references = 1; // the index's own, released when a newer version replaces this one

    public IndexVersion(Memtable mutable, Memtable[] frozen, Table[] tables)
    {
        Mutable = mutable;
        Frozen = frozen;
        Tables = tables;
        foreach (Table table in tables)
        {
            table.AddReference();
        }
    }

    public Memtable Mutable { get; }

    public Memtable[] Frozen { get; }

    public Table[] Tables { get; }

    /// <summary>Takes a reference unless the version has already been released for good.</summary>
    public bool TryAcquire()
    {
        int references = Volatile.Read(ref _references);
        while (references > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, references + 1, references);
            if (seen == references)
            {
                return true;
            }

            references = seen;
        }

        return false;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            foreach (Table table in Tables)
            {
                table.Release();
            }
        }
    }

    /// <summary>
    /// Newest source first. True when some source has an entry for the key; <paramref name="value"/>
    /// is null for a tombstone. <paramref name="shared"/> tells whether the array belongs to a
    /// memtable (and must be copied before it leaves the index).
    /// </summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value, out bool shared)
    {
        shared = true;
        if (Mutable.TryGet(key, out value))
        {
            return true;
        }

        foreach (Memtable memtable in Frozen)
        {
            if (memtable.TryGet(key, out value))
            {
                return true;
            }
        }

        shared = false;
        foreach (Table table in Tables)
        {
            if (table.TryGet(key, out value))
            {
                return true;
            }
        }

        return false;
    }

    public MergingCursor CreateCursor()
    {
        var sources = new IndexCursor[1 + Frozen.Length + Tables.Length];
        sources[0] = new MemtableCursor(Mutable);
        for (int i = 0; i < Frozen.Length; i++)
        {
            sources[1 + i] = new MemtableCursor(Frozen[i]);
        }

        for (int i = 0; i < Tables.Length; i++)
        {
            sources[1 + Frozen.Length + i] = new TableCursor(Tables[i]);
        }

        return new MergingCursor(sources);
    }
}
