using System.Collections.Concurrent;
using System.Numerics;

namespace FastS3.Memory;

/// <summary>
/// Arrays for bytes that can hold a request's secrets (its head, SSE-C keys included, and whatever
/// is copied from it), zeroed when they come back. They are allocated on the pinned object heap: an
/// ArrayPool.Shared array lives on the ordinary heap, where a compacting GC may move it while it
/// holds a head, and the copy left behind is free memory nobody zeroes. Kept per power-of-two
/// size, up to 4 MiB of idle arrays each.
/// </summary>
public sealed class PinnedBufferPool
{
    public static readonly PinnedBufferPool Shared = new();

    private const int MinLength = 256;
    private const int MaxLength = 1024 * 1024;
    private const int IdleBytesPerSize = 4 * 1024 * 1024;

    private readonly Size[] _sizes = [.. Enumerable.Range(0, BitOperations.Log2(MaxLength / MinLength) + 1).Select(i => new Size(MinLength << i))];

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes (up to 1 MiB), not necessarily zeroed.</summary>
    public byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimumLength, MaxLength);
        Size size = _sizes[BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(minimumLength, MinLength)) / MinLength)];
        return size.TryTake() ?? GC.AllocateArray<byte>(size.Length, pinned: true);
    }

    /// <summary>Zeroes <paramref name="array"/> and keeps it for another <see cref="Rent"/>, if fewer than the limit are idle.</summary>
    public void Return(byte[] array)
    {
        Array.Clear(array);
        if (BitOperations.IsPow2(array.Length) && array.Length is >= MinLength and <= MaxLength)
        {
            _sizes[BitOperations.Log2((uint)array.Length / MinLength)].Keep(array);
        }
    }

    private sealed class Size(int length)
    {
        private readonly ConcurrentQueue<byte[]> _idle = new();
        private readonly int _maxIdle = Math.Clamp(IdleBytesPerSize / length, 4, 1024);
        private int _count;

        public int Length => length;

        public byte[]? TryTake()
        {
            if (!_idle.TryDequeue(out byte[]? array))
            {
                return null;
            }

            Interlocked.Decrement(ref _count);
            return array;
        }

        public void Keep(byte[] array)
        {
            if (Interlocked.Increment(ref _count) > _maxIdle)
            {
                Interlocked.Decrement(ref _count);
                return;
            }

            _idle.Enqueue(array);
        }
    }
}
