namespace FastS3.Storage.Disk.Index;

/// <summary>
/// Merges sorted cursors, given newest first, into one: each key once, from the newest source
/// that has it; the older versions are skipped. Tombstones pass through. A linear scan for the
/// smallest key beats a heap at the handful of sources an index has.
/// </summary>
internal sealed class MergingCursor(IndexCursor[] sources) : IndexCursor
{
    private int _current = -1;

    public override bool IsValid => _current >= 0;

    public override ReadOnlySpan<byte> Key => sources[_current].Key;

    public override ReadOnlySpan<byte> Value => sources[_current].Value;

    public override bool IsTombstone => sources[_current].IsTombstone;

    public override void Seek(ReadOnlySpan<byte> target)
    {
        foreach (IndexCursor source in sources)
        {
            source.Seek(target);
        }

        PickSmallest();
    }

    public override void Next()
    {
        IndexCursor current = sources[_current];
        ReadOnlySpan<byte> key = current.Key;
        for (int i = 0; i < sources.Length; i++)
        {
            IndexCursor source = sources[i];
            if (i != _current && source.IsValid && source.Key.SequenceEqual(key))
            {
                source.Next();
            }
        }

        current.Next();
        PickSmallest();
    }

    public override void Dispose()
    {
        foreach (IndexCursor source in sources)
        {
            source.Dispose();
        }

        base.Dispose();
    }

    private void PickSmallest()
    {
        // Strictly smaller only: on a tie the earlier (newer) source wins.
        _current = -1;
        for (int i = 0; i < sources.Length; i++)
        {
            if (sources[i].IsValid && (_current < 0 || sources[i].Key.SequenceCompareTo(sources[_current].Key) < 0))
            {
                _current = i;
            }
        }
    }
}
