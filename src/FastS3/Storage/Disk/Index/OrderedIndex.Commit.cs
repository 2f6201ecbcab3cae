using FastS3.Storage.Disk.Native;
namespace FastS3.Storage.Disk.Index;

public sealed partial class OrderedIndex
{
    // Writers: the current value, the condition, the WAL record and the pending entry are all
    // decided under _writeGate, so writes are serialized in WAL order.
    private readonly Lock _writeGate = new();
    private readonly Dictionary<byte[], PendingWrite> _pending = new(KeyEqualityComparer.Instance);
    private readonly Dictionary<byte[], PendingWrite>.AlternateLookup<ReadOnlySpan<byte>> _pendingBySpan;
    private CommitGroup _filling = new();
    private bool _closing;

    // The commit loop: it alone writes the WAL and the mutable memtable.
    private readonly SemaphoreSlim _commitSignal = new(0);
    private readonly SemaphoreSlim _flushed = new(0);
    private readonly Task _commitLoop;
    private WriteAheadLog _wal;
    private Memtable _mutable;

    /// <summary>
    /// Sets a key's value if <paramref name="condition"/> allows it, and completes once the
    /// write is on stable storage. The result carries the value replaced, so the caller can remove
    /// what it pointed to. <paramref name="cancellationToken"/> is observed only before the write
    /// is queued: once queued, it happens.
    /// </summary>
    public ValueTask<RecordWrite> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, RecordCondition? condition = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, MaxValueLength, nameof(value));
        return WriteAsync(key, value.ToArray(), condition, cancellationToken);
    }

    /// <summary>
    /// Sets a key's value as <see cref="PutAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, RecordCondition?, CancellationToken)"/>
    /// does and, in the same step, <paramref name="alongsideKey"/>'s: one WAL write that a crash
    /// keeps whole or not at all. The condition and the result are <paramref name="key"/>'s.
    /// </summary>
    public ValueTask<RecordWrite> PutAsync(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, RecordCondition? condition, ReadOnlyMemory<byte> alongsideKey, ReadOnlyMemory<byte> alongsideValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(value.Length, MaxValueLength, nameof(value));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alongsideKey.Length, MaxKeyLength, nameof(alongsideKey));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(alongsideValue.Length, MaxValueLength, nameof(alongsideValue));
        return WriteAsync(key, value.ToArray(), condition, CancellationToken.None, alongsideKey, alongsideValue.ToArray());
    }

    /// <summary>
    /// Deletes a key if <paramref name="condition"/> allows it, and completes once the delete is
    /// on stable storage; the result carries the value deleted. Deleting an absent key writes
    /// nothing. Cancellation as for <see cref="PutAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, RecordCondition?, CancellationToken)"/>.
    /// </summary>
    public ValueTask<RecordWrite> DeleteAsync(ReadOnlyMemory<byte> key, RecordCondition? condition = null, CancellationToken cancellationToken = default)
        => WriteAsync(key, null, condition, cancellationToken);

    /// <summary>
    /// A null <paramref name="value"/> deletes; a non-null one becomes the index's own. An
    /// <paramref name="alongsideValue"/> is put at <paramref name="alongsideKey"/> in the same WAL write.
    /// </summary>
    private ValueTask<RecordWrite> WriteAsync(ReadOnlyMemory<byte> key, byte[]? value, RecordCondition? condition, CancellationToken cancellationToken,
        ReadOnlyMemory<byte> alongsideKey = default, byte[]? alongsideValue = null)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(key.Length, MaxKeyLength, nameof(key));
        cancellationToken.ThrowIfCancellationRequested();

        RecordWrite result;
        Task? durable;
        lock (_writeGate)
        {
            if (_closing || _failure is not null)
            {
                return ValueTask.FromException<RecordWrite>(_closing ? new ObjectDisposedException(nameof(OrderedIndex)) : FailedError());
            }

            byte[]? current = Current(key.Span, out bool shared, out durable);
            if (condition is not null && !condition(current, current is not null))
            {
                result = new RecordWrite(false, Own(current, shared));
            }
            else if (value is null && current is null && alongsideValue is null)
            {
                result = new RecordWrite(true, null);
            }
            else
            {
                CommitGroup group = _filling;
                bool first = group.IsEmpty;
                group.ReadsEarlierGroup |= durable is not null && durable != group.Durable;
                Stage(group, key, value, current, continues: alongsideValue is not null);
                if (alongsideValue is not null)
                {
                    byte[]? alongsideCurrent = Current(alongsideKey.Span, out _, out Task? alongsideRead);
                    group.ReadsEarlierGroup |= alongsideRead is not null && alongsideRead != group.Durable;
                    Stage(group, alongsideKey, alongsideValue, alongsideCurrent, continues: false);
                }

                durable = group.Durable;
                result = new RecordWrite(true, Own(current, shared));
                if (first)
                {
                    _commitSignal.Release();
                }
            }
        }

        return durable is null || durable.IsCompletedSuccessfully ? new ValueTask<RecordWrite>(result) : WaitAsync(durable, result);

        static async ValueTask<RecordWrite> WaitAsync(Task durable, RecordWrite result)
        {
            await durable.ConfigureAwait(false);
            return result;
        }

        static byte[]? Own(byte[]? value, bool shared) => shared && value is not null ? value.AsSpan().ToArray() : value;
    }

    /// <summary>
    /// Under _writeGate: the key's value as the next write sees it, a pending one first, with the
    /// group that makes it durable (null for a durable value): what the caller is told must not be
    /// undone by a crash, so a write that read a pending value waits for it too.
    /// </summary>
    private byte[]? Current(ReadOnlySpan<byte> key, out bool shared, out Task? pendingDurable)
    {
        if (_pendingBySpan.TryGetValue(key, out PendingWrite? pending))
        {
            shared = true;
            pendingDurable = pending.Durable;
            return pending.Value;
        }

        pendingDurable = null;
        return ReadDurable(key, out shared);
    }

    /// <summary>Under _writeGate: appends one key's write to the filling group, pending until the group is durable.</summary>
    private void Stage(CommitGroup group, ReadOnlyMemory<byte> key, byte[]? value, byte[]? current, bool continues)
    {
        byte[] keyCopy = key.ToArray();
        WriteAheadLog.AppendRecord(group.Records, keyCopy, value, existed: current is not null, continues);
        var write = new PendingWrite(keyCopy, value, (value is null ? 0 : 1) - (current is null ? 0 : 1), group.Durable);
        group.Writes.Add(write);
        group.AddsValues |= value is not null;
        _pending[keyCopy] = write;
    }

    private byte[]? ReadDurable(ReadOnlySpan<byte> key, out bool shared)
    {
        IndexVersion version = AcquireVersion();
        try
        {
            return version.TryGet(key, out byte[]? value, out shared) ? value : null;
        }
        finally
        {
            version.Release();
        }
    }

    private async Task CommitLoopAsync()
    {
        var spare = new CommitGroup();
        while (true)
        {
            CommitGroup? group = null;
            lock (_writeGate)
            {
                if (!_filling.IsEmpty)
                {
                    group = _filling;
                    _filling = spare;
                }
                else if (_closing)
                {
                    return;
                }
            }

            if (group is null)
            {
                await _commitSignal.WaitAsync().ConfigureAwait(false);
                continue;
            }

            await CommitAsync(group).ConfigureAwait(false);
            group.Reset();
            spare = group;
        }
    }

    private async ValueTask CommitAsync(CommitGroup group)
    {
        if (_failure is not null)
        {
            group.Fail(FailedError());
            return;
        }

        bool logged = false;
        try
        {
            _wal.Append(group.Records.WrittenSpan, deletesOnly: !group.AddsValues);
            logged = true;
            Reach(IndexFaultPoint.WalWritten);
            _wal.Sync();
        }
        catch (StorageFullException exception) when (!logged)
        {
            Refuse(group, exception);
            return;
        }
        catch (Exception exception)
        {
            Fail(exception);
            group.Fail(exception);
            return;
        }

        Memtable memtable = _mutable;
        long liveDelta = 0;
        foreach (PendingWrite write in group.Writes)
        {
            memtable.Put(write.Key, write.Value);
            liveDelta += write.LiveDelta;
        }

        Interlocked.Add(ref _liveCount, liveDelta);
        _options.Counters.OnCommitted(group.Writes.Count);
        lock (_writeGate)
        {
            ForgetPending(group);
        }

        group.Complete();
        if (memtable.Bytes >= _options.MemtableSize)
        {
            await SwitchMemtableAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A group the log refused for lack of space, with nothing of it written: its writes fail, and
    /// so does the group filling behind it if a write there read one of their values. Unlike an
    /// I/O error this leaves the index working: the next group may find space again.
    /// </summary>
    private void Refuse(CommitGroup group, StorageFullException exception)
    {
        lock (_writeGate)
        {
            ForgetPending(group);
            if (_filling.ReadsEarlierGroup)
            {
                ForgetPending(_filling);
                _filling.Fail(exception);
                _filling.Reset();
            }
        }

        group.Fail(exception);
    }

    /// <summary>Under _writeGate: the group's writes are done with (a later write to the same key stays pending).</summary>
    private void ForgetPending(CommitGroup group)
    {
        foreach (PendingWrite write in group.Writes)
        {
            if (_pending.TryGetValue(write.Key, out PendingWrite? pending) && ReferenceEquals(pending, write))
            {
                _pending.Remove(write.Key);
            }
        }
    }

    /// <summary>Freezes the full memtable for a flush and starts a new one, with a new WAL.</summary>
    private async ValueTask SwitchMemtableAsync()
    {
        // Backpressure: commits wait while the flusher is behind, but not behind a flush the full
        // disk holds up: that would stop every write, the deletes that free space included. The
        // memtable then grows past its size until the flush gets through.
        while (Volatile.Read(ref _current).Frozen.Length >= _options.MaxFrozenMemtables && _failure is null)
        {
            if (_flushStalled)
            {
                return;
            }

            await _flushed.WaitAsync().ConfigureAwait(false);
        }

        if (_failure is not null)
        {
            return;
        }

        long number = AllocateFileNumber();
        WriteAheadLog? wal = null;
        try
        {
            wal = WriteAheadLog.Create(_directory, number);
            if (!wal.TryReserveAhead())
            {
                // A new log without its reserve would refuse deletes on a full disk, leaving no
                // way to free space: stay on this one (past the memtable size) until there is room.
                wal.Dispose();
                File.Delete(wal.Path);
                return;
            }

            NativeFile.SyncDirectory(_directory);
        }
        catch (Exception exception)
        {
            wal?.Dispose();
            Fail(exception);
            return;
        }

        _wal.Dispose();
        _wal = wal;

        Memtable frozen = _mutable;
        frozen.LiveCountAfter = Volatile.Read(ref _liveCount);
        _mutable = new Memtable(number);
        lock (_versionGate)
        {
            IndexVersion current = _current;
            Install(new IndexVersion(_mutable, [frozen, .. current.Frozen], current.Tables));
            StartFlush();
        }
    }
}
