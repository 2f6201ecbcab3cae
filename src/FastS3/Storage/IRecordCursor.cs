namespace FastS3.Storage;

/// <summary>
/// Walks an <see cref="IRecordTable"/> in key order (unsigned bytes). <see cref="Key"/> and
/// <see cref="Value"/> stay valid until the next <see cref="MoveNext"/> or seek. Writes that become
/// durable while it runs may or may not be seen. Dispose it promptly; one thread at a time.
/// </summary>
public interface IRecordCursor : IDisposable
{
    ReadOnlySpan<byte> Key { get; }

    ReadOnlySpan<byte> Value { get; }

    /// <summary>Repositions: the next <see cref="MoveNext"/> yields the first key ≥ <paramref name="start"/>.</summary>
    void Seek(ReadOnlySpan<byte> start);

    /// <summary>Repositions: the next <see cref="MoveNext"/> yields the first key &gt; <paramref name="key"/>.</summary>
    void SeekAfter(ReadOnlySpan<byte> key);

    bool MoveNext();
}
