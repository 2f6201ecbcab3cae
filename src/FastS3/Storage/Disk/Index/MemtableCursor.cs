namespace FastS3.Storage.Disk.Index;

/// <summary>
/// Walks a memtable while it may still be written to: keys inserted ahead of the cursor are seen,
/// those behind it are not. The value is read once per position, so Value and IsTombstone agree.
/// </summary>
internal sealed class MemtableCursor(Memtable memtable) : IndexCursor
{
    private Memtable.Node? _node;
    private byte[]? _value;

    public override bool IsValid => _node is not null;

    public override ReadOnlySpan<byte> Key => _node!.Key;

    public override ReadOnlySpan<byte> Value => _value;

    public override bool IsTombstone => _value is null;

    public override void Seek(ReadOnlySpan<byte> target) => MoveTo(memtable.FindGreaterOrEqual(target, null));

    public override void Next() => MoveTo(Volatile.Read(ref _node!.Next[0]));

    private void MoveTo(Memtable.Node? node)
    {
        _node = node;
        _value = node is null ? null : Volatile.Read(ref node.Value);
    }
}
