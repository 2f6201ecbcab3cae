using System.Diagnostics.CodeAnalysis;

namespace FastS3.Storage.Disk.Index;

/// <summary>
/// A durable ordered map of byte-string keys to byte-string values: the metadata index of one
/// bucket. A small LSM tree: a write goes to a write-ahead log, group-committed with one
/// fdatasync for every write appended before it, then to a skip-list memtable; a full memtable
/// becomes an immutable sorted table, and a background compaction merges tables. Reads and
/// iterators see only durable writes. Any number of threads may read, iterate and write at once.
/// </summary>
public sealed partial class OrderedIndex : IRecordTable, IAsyncDisposable
{
    /// <summary>S3's 1024-byte key limit plus room for a prefix and suffix (multipart upload records).</summary>
    public const int MaxKeyLength = 1024 + 64;
    public const int MaxValueLength = 64 * 1024;

    private readonly string _directory;
    private readonly OrderedIndexOptions _options;
    private readonly FileStream _lockFile;

    // Installed under _versionGate, acquired lock-free by readers.
    private readonly Lock _versionGate = new();
    private IndexVersion _current;

    private long _nextFileNumber;
    private long _liveCount;
    private Exception? _failure;

    private OrderedIndex(string directory, OrderedIndexOptions options, FileStream lockFile, Manifest manifest, IndexVersion version, WriteAheadLog wal, long nextFileNumber, long liveCount)
    {
        _directory = directory;
        _options = options;
        _lockFile = lockFile;
        _manifest = manifest;
        _current = version;
        _mutable = version.Mutable;
        _wal = wal;
        _nextFileNumber = nextFileNumber;
        _liveCount = liveCount;
        _pendingBySpan = _pending.GetAlternateLookup<ReadOnlySpan<byte>>();
        _commitLoop = Task.Run(CommitLoopAsync);
    }

    /// <summary>Keys present (durable writes only). Exact: each write knows whether its key existed.</summary>
    public long Count => Volatile.Read(ref _liveCount);

    /// <summary>Tables the index reads from now (tests watch flushes and compactions with it).</summary>
    internal int TableCount => Volatile.Read(ref _current).Tables.Length;

    /// <summary>Looks a key up. The array is the caller's own.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, [MaybeNullWhen(false)] out byte[] value)
    {
        IndexVersion version = AcquireVersion();
        try
        {
            if (version.TryGet(key, out byte[]? found, out bool shared) && found is not null)
            {
                value = shared ? found.AsSpan().ToArray() : found;
                return true;
            }

            value = null;
            return false;
        }
        finally
        {
            version.Release();
        }
    }

    /// <summary>
    /// Looks a key up without copying a value the memtables hold (the hot, recently written keys):
    /// index values are never modified once written, so a read-only view stays valid for as long as
    /// the caller keeps it. Values read from tables are fresh arrays, as with <see cref="TryGet"/>.
    /// </summary>
    public bool TryGetReadOnly(ReadOnlySpan<byte> key, out ReadOnlyMemory<byte> value)
    {
        IndexVersion version = AcquireVersion();
        try
        {
            if (version.TryGet(key, out byte[]? found, out _) && found is not null)
            {
                value = found;
                return true;
            }

            value = default;
            return false;
        }
        finally
        {
            version.Release();
        }
    }

    /// <summary>An iterator whose first <see cref="IndexIterator.MoveNext"/> yields the first key ≥ <paramref name="start"/>.</summary>
    public IndexIterator Seek(ReadOnlySpan<byte> start)
    {
        var iterator = new IndexIterator(AcquireVersion());
        iterator.Seek(start);
        return iterator;
    }

    /// <summary>An iterator whose first <see cref="IndexIterator.MoveNext"/> yields the first key &gt; <paramref name="key"/> (S3's StartAfter and continuation).</summary>
    public IndexIterator SeekAfter(ReadOnlySpan<byte> key)
    {
        var iterator = new IndexIterator(AcquireVersion());
        iterator.SeekAfter(key);
        return iterator;
    }

    IRecordCursor IRecordTable.Seek(ReadOnlySpan<byte> start) => Seek(start);

    IRecordCursor IRecordTable.SeekAfter(ReadOnlySpan<byte> key) => SeekAfter(key);

    /// <summary>
    /// Stops accepting writes, waits for the pending ones to become durable and for a running
    /// flush to finish (a running compaction is abandoned), and closes the files. Memtables are not
    /// flushed: their WALs are replayed at the next open.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (_writeGate)
        {
            if (_closing)
            {
                return;
            }

            _closing = true;
        }

        _commitSignal.Release();
        await _commitLoop.ConfigureAwait(false);

        Task flush;
        Task compaction;
        lock (_versionGate)
        {
            _stopping = true;
            flush = _flushTask;
            compaction = _compactionTask;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(flush, compaction).ConfigureAwait(false);
        _stop.Dispose();
        _wal.Dispose();
        lock (_versionGate)
        {
            _current.Release();
        }

        _lockFile.Dispose();
    }

    private IndexVersion AcquireVersion()
    {
        while (true)
        {
            IndexVersion version = Volatile.Read(ref _current);
            if (version.TryAcquire())
            {
                return version;
            }

            // Released but still current: only disposal does that.
            ObjectDisposedException.ThrowIf(ReferenceEquals(version, Volatile.Read(ref _current)), this);
        }
    }

    /// <summary>Makes <paramref name="next"/> current (under _versionGate); <paramref name="obsolete"/> tables are deleted once unused.</summary>
    private void Install(IndexVersion next, Table[]? obsolete = null)
    {
        IndexVersion previous = _current;
        Volatile.Write(ref _current, next);
        if (obsolete is not null)
        {
            foreach (Table table in obsolete)
            {
                table.MarkObsolete();
            }
        }

        previous.Release();
    }

    private long AllocateFileNumber() => Interlocked.Increment(ref _nextFileNumber) - 1;

    /// <summary>Records the first I/O failure: from then on writes fail, reads go on, files are left for the next open to recover.</summary>
    private void Fail(Exception exception)
    {
        Interlocked.CompareExchange(ref _failure, exception, null);
        _flushed.Release();
    }

    /// <summary>
    /// A step where tests stop the index, or find the disk full. A stop is its failure at once,
    /// recorded before the caller lets go of any lock, so no other thread writes a file after it,
    /// as after a crash.
    /// </summary>
    private void Reach(IndexFaultPoint point)
    {
        try
        {
            _options.FaultHook?.Invoke(point);
        }
        catch (Exception exception) when (!StorageFullException.IsNoSpace(exception))
        {
            Fail(exception);
            throw;
        }
    }

    private IOException FailedError() => new($"The index at {_directory} failed and accepts no writes until it is reopened: {_failure!.Message}", _failure);
}
