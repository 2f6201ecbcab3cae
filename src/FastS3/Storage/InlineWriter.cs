using System.Buffers;

namespace FastS3.Storage;

/// <summary>
/// Collects a small object's stored bytes in pooled memory so they can live inside its index record,
/// as MinIO keeps small objects inline in their metadata: no data file, no fdatasync and directory
/// fsync of their own, since the index's group commit makes the record (bytes included) durable, and
/// a read needs no open. Bytes past the capacity are counted but dropped: the caller compares
/// <see cref="Length"/> with what it expected.
/// </summary>
public sealed class InlineWriter : IObjectWriter
{
    private byte[]? _buffer;
    private readonly int _capacity;
    private long _length;

    public InlineWriter(int capacity)
    {
        _capacity = capacity;
        _buffer = ArrayPool<byte>.Shared.Rent(capacity + Overflow);
    }

    /// <summary>Room handed out past the capacity, so a client sending too much is read to its end (and refused) rather than cut off.</summary>
    private const int Overflow = 4096;

    public long Length => _length;

    /// <summary>The stored bytes, once written (only when <see cref="Length"/> is within the capacity).</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, (int)Math.Min(_length, _capacity));

    public Memory<byte> GetMemory()
        => _length < _capacity ? _buffer.AsMemory((int)_length, _capacity - (int)_length) : _buffer.AsMemory(_capacity, Overflow);

    public ValueTask AdvanceAsync(int count)
    {
        _length += count;
        return ValueTask.CompletedTask;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            Memory<byte> free = GetMemory();
            int take = Math.Min(free.Length, data.Length);
            data[..take].CopyTo(free);
            data = data[take..];
            _length += take;
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        return ValueTask.CompletedTask;
    }
}
