using System.Buffers;

namespace FastS3.Storage.Disk.Index;

/// <summary>
/// Writes appended since the last commit: their WAL records, written with one call and covered by
/// one fdatasync, and the writes to apply to the memtable once durable. Two groups alternate:
/// writers fill one while the commit loop syncs the other.
/// </summary>
internal sealed class CommitGroup
{
    private const int InitialCapacity = 16 * 1024;
    private const int RetainedCapacity = 1024 * 1024;

    private TaskCompletionSource _durable = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ArrayBufferWriter<byte> Records { get; private set; } = new(InitialCapacity);

    public List<PendingWrite> Writes { get; } = [];

    public bool IsEmpty => Writes.Count == 0;

    /// <summary>Some write puts a value (else the group only deletes, and may use the log's reserve).</summary>
    public bool AddsValues { get; set; }

    /// <summary>Some write read a value still pending in the group committing before this one: if that group fails, this one must too.</summary>
    public bool ReadsEarlierGroup { get; set; }

    /// <summary>Completes when the group is durable (and visible to readers), or fails with the I/O error.</summary>
    public Task Durable => _durable.Task;

    public void Complete() => _durable.SetResult();

    public void Fail(Exception exception) => _durable.SetException(exception);

    public void Reset()
    {
        // A burst of large values may have grown the buffer; do not keep that much for good.
        if (Records.Capacity > RetainedCapacity)
        {
            Records = new ArrayBufferWriter<byte>(InitialCapacity);
        }

        Records.ResetWrittenCount();
        Writes.Clear();
        AddsValues = ReadsEarlierGroup = false;
        _durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
