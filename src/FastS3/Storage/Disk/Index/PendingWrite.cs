namespace FastS3.Storage.Disk.Index;

/// <summary>
/// A write in a commit group that is not durable yet, so not in the memtable and invisible to
/// readers. Writers look here first, so each write (and its condition) sees every earlier one.
/// </summary>
internal sealed class PendingWrite(byte[] key, byte[]? value, int liveDelta, Task durable)
{
    public byte[] Key { get; } = key;

    public byte[]? Value { get; } = value;

    /// <summary>+1 for a new key, -1 for the delete of an existing one, 0 otherwise.</summary>
    public int LiveDelta { get; } = liveDelta;

    /// <summary>Its commit group's <see cref="CommitGroup.Durable"/>.</summary>
    public Task Durable { get; } = durable;
}
