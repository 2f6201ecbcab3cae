using System.Buffers;
using FastS3.Memory;

namespace FastS3.Buffers;

/// <summary>
/// A growable byte buffer over pooled arrays: text is assembled here without allocating. With
/// <c>wipe</c> (text built from request headers, which can hold SSE-C keys), the arrays come from
/// <see cref="PinnedBufferPool"/>: never moved by the GC, and zeroed as they go back.
/// </summary>
internal ref struct ScratchBuffer
{
    private readonly bool _wipe;
    private byte[] _array;
    private int _length;

    public ScratchBuffer(int initialCapacity, bool wipe = false)
    {
        _wipe = wipe;
        _array = Rent(initialCapacity);
        _length = 0;
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
            byte[] larger = Rent(Math.Max(_array.Length * 2, _length + count));
            _array.AsSpan(0, _length).CopyTo(larger);
            Release();
            _array = larger;
        }
    }

    private readonly byte[] Rent(int length) => _wipe ? PinnedBufferPool.Shared.Rent(length) : ArrayPool<byte>.Shared.Rent(length);

    private readonly void Release()
    {
        if (_wipe)
        {
            // The whole array: Truncate may have hidden written bytes.
            PinnedBufferPool.Shared.Return(_array);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(_array);
        }
    }
}
