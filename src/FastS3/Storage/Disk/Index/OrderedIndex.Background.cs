using FastS3.Storage.Disk.Native;
namespace FastS3.Storage.Disk.Index;

public sealed partial class OrderedIndex
{
    // Under _versionGate: the MANIFEST as last written, and the flush and compaction tasks, which
    // run on the thread pool only while they have work.
    private Manifest _manifest;
    private Task _flushTask = Task.CompletedTask;
    private Task _compactionTask = Task.CompletedTask;
    private bool _flushRunning;
    private bool _compactionRunning;
    private volatile bool _stopping;

    // Set while flushes fail for lack of space (commits then stop waiting for them); cancelled
    // at close, to end the waits between attempts.
    private volatile bool _flushStalled;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>How long a flush or compaction that found the disk full waits before it tries again.</summary>
    private static readonly TimeSpan FullDiskRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Waits until no flush or compaction is running or due (tests and benchmarks).</summary>
    internal async Task WaitForBackgroundWorkAsync()
    {
        while (true)
        {
            Task flush;
            Task compaction;
            lock (_versionGate)
            {
                if (!_flushRunning && !_compactionRunning)
                {
                    return;
                }

                flush = _flushTask;
                compaction = _compactionTask;
            }

            await Task.WhenAll(flush, compaction).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// How many of the newest tables to merge: enough to get back to MaxTables, and then more
    /// while the next older table is no bigger than those chosen together (as RocksDB's universal
    /// compaction does). A big old table is rewritten only once as much data has piled up above
    /// it, so each byte is rewritten O(log n) times rather than on every compaction.
    /// </summary>
    internal static int PickCompaction(ReadOnlySpan<long> sizes, int maxTables)
    {
        int minimum = Math.Max(2, sizes.Length - maxTables + 1);
        long chosen = sizes[0];
        int count = 1;
        while (count < sizes.Length && (count < minimum || sizes[count] <= chosen))
        {
            chosen += sizes[count];
            count++;
        }

        return count;
    }

    /// <summary>Under _versionGate.</summary>
    private void StartFlush()
    {
        if (!_flushRunning && !_stopping)
        {
            _flushRunning = true;
            _flushTask = Task.Run(FlushLoopAsync);
        }
    }

    /// <summary>Under _versionGate.</summary>
    private void StartCompaction()
    {
        if (!_compactionRunning && !_stopping && _current.Tables.Length > _options.MaxTables)
        {
            _compactionRunning = true;
            _compactionTask = Task.Run(CompactionLoopAsync);
        }
    }

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            Memtable memtable;
            bool dropTombstones;
            lock (_versionGate)
            {
                if (_stopping || _failure is not null || _current.Frozen.Length == 0)
                {
                    _flushRunning = false;
                    return;
                }

                // Oldest first, so the tables stay ordered by age. With no table below, a
                // tombstone has nothing left to hide.
                memtable = _current.Frozen[^1];
                dropTombstones = _current.Tables.Length == 0;
            }

            try
            {
                Flush(memtable, dropTombstones);
                _flushStalled = false;
            }
            catch (Exception exception) when (StorageFullException.IsNoSpace(exception))
            {
                // No room for the table: the memtable and its WAL stay as they were; try again
                // once deletes (or anything else) may have freed space.
                _flushStalled = true;
                _flushed.Release();
                await WaitBeforeRetryAsync().ConfigureAwait(false);
                continue;
            }
            catch (Exception exception)
            {
                Fail(exception);
            }

            _flushed.Release();
        }
    }

    /// <summary>The pause after a full disk stopped a flush or compaction; cut short by closing.</summary>
    private async Task WaitBeforeRetryAsync()
    {
        try
        {
            await Task.Delay(FullDiskRetryDelay, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Closing: the loop sees _stopping and ends.
        }
    }

    private void Flush(Memtable memtable, bool dropTombstones)
    {
        Table? table;
        using (var cursor = new MemtableCursor(memtable))
        {
            table = WriteTable(cursor, dropTombstones, cancellable: false);
        }

        bool installed = false;
        try
        {
            Reach(IndexFaultPoint.TableWritten);
            lock (_versionGate)
            {
                IndexVersion current = _current;
                Table[] tables = table is null ? current.Tables : [table, .. current.Tables];
                WriteManifest(tables, logNumber: memtable.LogNumber + 1, liveCount: memtable.LiveCountAfter);
                Reach(IndexFaultPoint.ManifestWritten);
                Install(new IndexVersion(current.Mutable, current.Frozen[..^1], tables));
                installed = true;
                _options.Counters.OnFlushed();
                StartCompaction();
            }
        }
        catch (Exception exception) when (StorageFullException.IsNoSpace(exception))
        {
            DeleteUnused(table);
            throw;
        }
        finally
        {
            if (!installed)
            {
                table?.Close();
            }
        }

        File.Delete(IndexFiles.Wal(_directory, memtable.LogNumber));
    }

    private async Task CompactionLoopAsync()
    {
        while (true)
        {
            IndexVersion version;
            lock (_versionGate)
            {
                if (_stopping || _failure is not null || _current.Tables.Length <= _options.MaxTables)
                {
                    _compactionRunning = false;
                    return;
                }

                version = _current;
                version.TryAcquire();
            }

            bool full = false;
            try
            {
                Compact(version.Tables);
            }
            catch (OperationCanceledException) when (_stopping)
            {
            }
            catch (Exception exception) when (StorageFullException.IsNoSpace(exception))
            {
                // No room for the merged table: the inputs stay, reads just visit more tables.
                full = true;
            }
            catch (Exception exception)
            {
                Fail(exception);
            }
            finally
            {
                version.Release();
            }

            if (full)
            {
                await WaitBeforeRetryAsync().ConfigureAwait(false);
            }
        }
    }

    private void Compact(Table[] tables)
    {
        Span<long> sizes = stackalloc long[tables.Length];
        for (int i = 0; i < tables.Length; i++)
        {
            sizes[i] = tables[i].Length;
        }

        Table[] inputs = tables[..PickCompaction(sizes, _options.MaxTables)];
        bool dropTombstones = inputs.Length == tables.Length;
        Table? output;
        using (var merged = new MergingCursor([.. inputs.Select(IndexCursor (table) => new TableCursor(table))]))
        {
            output = WriteTable(merged, dropTombstones, cancellable: true);
        }

        bool installed = false;
        try
        {
            Reach(IndexFaultPoint.TableWritten);
            lock (_versionGate)
            {
                // Flushes may have added newer tables meanwhile; the inputs are still together.
                IndexVersion current = _current;
                int start = Array.IndexOf(current.Tables, inputs[0]);
                Table[] replaced = [.. current.Tables[..start], .. output is null ? [] : new[] { output }, .. current.Tables[(start + inputs.Length)..]];
                WriteManifest(replaced, _manifest.LogNumber, _manifest.LiveCount);
                Reach(IndexFaultPoint.ManifestWritten);
                Install(new IndexVersion(current.Mutable, current.Frozen, replaced), obsolete: inputs);
                installed = true;
                _options.Counters.OnCompacted();
            }
        }
        catch (Exception exception) when (StorageFullException.IsNoSpace(exception))
        {
            DeleteUnused(output);
            throw;
        }
        finally
        {
            if (!installed)
            {
                output?.Close();
            }
        }
    }

    /// <summary>
    /// A new table the full disk kept out of the index: its file goes at once, to give the space
    /// back, unless the MANIFEST on disk names it after all (the disk filled up after the rename).
    /// </summary>
    private void DeleteUnused(Table? table)
    {
        if (table is not null && Array.IndexOf(Manifest.Read(Path.Combine(_directory, IndexFiles.Manifest)).Tables, table.Number) < 0)
        {
            table.Close();
            File.Delete(table.Path);
        }
    }

    /// <summary>Writes a cursor's entries to a new durable table; null when there was nothing to write.</summary>
    private Table? WriteTable(IndexCursor cursor, bool dropTombstones, bool cancellable)
    {
        long number = AllocateFileNumber();
        string path = IndexFiles.Table(_directory, number);
        using (var writer = new TableWriter(path, _options.BlockSize))
        {
            for (cursor.Seek([]); cursor.IsValid; cursor.Next())
            {
                if (cancellable && _stopping)
                {
                    throw new OperationCanceledException();
                }

                if (!(dropTombstones && cursor.IsTombstone))
                {
                    writer.Add(cursor.Key, cursor.Value, cursor.IsTombstone);
                }
            }

            if (writer.EntryCount == 0)
            {
                return null;
            }

            writer.Finish();
        }

        NativeFile.SyncDirectory(_directory);
        return Table.Open(path, number);
    }

    /// <summary>
    /// Under _versionGate. A failed index writes none: its state in memory may be behind the
    /// MANIFEST on disk (a flush stopped between writing one and installing its table), and a
    /// MANIFEST built from it would drop that table while naming its WAL flushed.
    /// </summary>
    private void WriteManifest(Table[] tables, long logNumber, long liveCount)
    {
        if (_failure is not null)
        {
            throw FailedError();
        }

        var manifest = new Manifest(Volatile.Read(ref _nextFileNumber), logNumber, liveCount, [.. tables.Select(table => table.Number)]);
        manifest.Write(_directory);
        _manifest = manifest;
    }
}
