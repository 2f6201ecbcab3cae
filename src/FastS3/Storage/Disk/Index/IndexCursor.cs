namespace FastS3.Storage.Disk.Index;

/// <summary>
/// A position in one sorted source (a memtable, a table, or a merge of them). Key and Value stay
/// valid until the cursor moves. Tombstones are entries too; <see cref="IndexIterator"/> hides them.
/// </summary>
internal abstract class IndexCursor : IDisposable
{
    public abstract bool IsValid { get; }

    public abstract ReadOnlySpan<byte> Key { get; }

    public abstract ReadOnlySpan<byte> Value { get; }

    public abstract bool IsTombstone { get; }

    /// <summary>Moves to the first entry with a key ≥ <paramref name="target"/>.</summary>
    public abstract void Seek(ReadOnlySpan<byte> target);

    public abstract void Next();

    public virtual void Dispose()
    {
    }
}
