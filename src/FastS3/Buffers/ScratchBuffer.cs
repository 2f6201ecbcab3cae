using System.Buffers;

namespace FastS3.Buffers;

/// <summary>
/// A growable byte buffer over ArrayPool arrays: text is assembled here without allocating. With
/// <c>wipe</c>, what was written is zeroed before an array goes back to the pool (text built from
/// request headers, which can hold SSE-C keys).
/// </summary>
internal ref struct ScratchBuffer
{
    private readonly bool _wipe;
    private byte[] _array;
    private int _length;

    public ScratchBuffer(int initialCapacity, bool wipe = false)
    {
        _array = ArrayPool<byte>.Shared.Rent(initialCapacity);
        _length = 0;
        _wipe = wipe;
    }

    public readonly int Length => _length;

    public readonly ReadOnlySpan<byte> Written => _array.AsSpan(0, _length);

    public readonly Span<byte> Slice(int start, int length) => _array.AsSpan(start, length);

    public void Append(scoped ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void Append(byte b) => Reserve(1)[0] = b;

    /// <summary>Returns room for <paramref name="count"/> bytes at the end and counts them as written.</summary>
    public Span<byte> Reserve(int count)
    {
        EnsureCapacity(count);
        Span<byte> span = _array.AsSpan(_length, count);
        _length += count;
        return span;
    }

    /// <summary>Room for up to <paramref name="count"/> bytes; commit what was used with <see cref="Commit"/>.</summary>
    public Span<byte> GetSpan(int count)
    {
        EnsureCapacity(count);
        return _array.AsSpan(_length, count);
    }

    public void Commit(int count) => _length += count;

    public void Truncate(int length) => _length = length;

    public void Dispose()
    {
        Release();
        _array = [];
    }

    private void EnsureCapacity(int count)
    {
        if (_length + count > _array.Length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, _length + count));
            _array.AsSpan(0, _length).CopyTo(larger);
            Release();
            _array = larger;
        }
    }

    private readonly void Release()
    {
        if (_wipe)
        {
            // Truncate may have hidden written bytes: zero everything this buffer ever held.
            _array.AsSpan().Clear();
        }

        ArrayPool<byte>.Shared.Return(_array);
    }
}
