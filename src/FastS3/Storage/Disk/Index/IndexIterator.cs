namespace FastS3.Storage.Disk.Index;

/// <summary>
/// Walks the index in key order (unsigned bytes), skipping deleted keys. <see cref="Key"/> and
/// <see cref="Value"/> stay valid until the next <see cref="MoveNext"/> or seek. Memory is one
/// data block per table. Writes that become durable while it runs may or may not be seen.
/// Dispose it promptly: it keeps the tables it reads alive, even those compaction has replaced.
/// One thread at a time.
/// </summary>
public sealed class IndexIterator : IRecordCursor
{
    private readonly IndexVersion _version;
    private readonly MergingCursor _cursor;
    private bool _positioned; // a seek left the cursor on the entry MoveNext yields next
    private bool _onEntry;
    private bool _disposed;

    internal IndexIterator(IndexVersion version)
    {
        _version = version;
        _cursor = version.CreateCursor();
    }

    public ReadOnlySpan<byte> Key => _onEntry ? _cursor.Key : throw NotOnEntry();

    public ReadOnlySpan<byte> Value => _onEntry ? _cursor.Value : throw NotOnEntry();

    /// <summary>Repositions: the next <see cref="MoveNext"/> yields the first key ≥ <paramref name="start"/>.</summary>
    public void Seek(ReadOnlySpan<byte> start)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _cursor.Seek(start);
        _positioned = true;
        _onEntry = false;
    }

    /// <summary>Repositions: the next <see cref="MoveNext"/> yields the first key &gt; <paramref name="key"/>.</summary>
    public void SeekAfter(ReadOnlySpan<byte> key)
    {
        Seek(key);
        if (_cursor.IsValid && _cursor.Key.SequenceEqual(key))
        {
            _cursor.Next();
        }
    }

    public bool MoveNext()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_positioned)
        {
            _positioned = false;
        }
        else if (_cursor.IsValid)
        {
            _cursor.Next();
        }

        while (_cursor.IsValid && _cursor.IsTombstone)
        {
            _cursor.Next();
        }

        return _onEntry = _cursor.IsValid;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _onEntry = false;
            _cursor.Dispose();
            _version.Release();
        }
    }

    private static InvalidOperationException NotOnEntry() => new("The iterator is not on an entry: call MoveNext first, and stop when it returns false.");
}
