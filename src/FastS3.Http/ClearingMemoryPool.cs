using System.Buffers;
using System.Collections.Concurrent;
using FastS3.Memory;

namespace FastS3.Http;

/// <summary>
/// The memory behind every connection's input and output pipes: arrays from
/// <see cref="PinnedBufferPool"/>, zeroed before they go back and never moved by the GC. Request heads can carry
/// secrets (an application's keys, credentials) that would otherwise linger in pooled arrays long
/// after the request, and the transport cannot know which fields are secret. A returned block is
/// hot in cache, so zeroing it costs far less than the TLS record it held.
/// </summary>
/// <param name="arrays">Where the arrays come from and go back to (the shared pinned pool; a test's own, so no other test rents a returned array before it is looked at).</param>
internal sealed class ClearingMemoryPool(PinnedBufferPool arrays) : MemoryPool<byte>
{
    public static readonly ClearingMemoryPool Instance = new(PinnedBufferPool.Shared);

    // Pipes fall back to the shared array pool, uncleared, for larger requests: output pipes ask
    // for up to 256 KiB at once (file reads) and grow segments by doubling.
    private const int MaxBlockSize = 1024 * 1024;

    private readonly ConcurrentQueue<Block> _idle = new();

    public override int MaxBufferSize => MaxBlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, MaxBlockSize);
        if (!_idle.TryDequeue(out Block? block))
        {
            block = new Block(this);
        }

        block.Take(arrays.Rent(minBufferSize <= 0 ? 4096 : minBufferSize));
        return block;
    }

    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>The pinned pool zeroes what it is given back.</summary>
    private void ReturnArray(byte[] array) => arrays.Return(array);

    /// <summary>One rented array; the wrapper itself is reused so steady traffic allocates nothing.</summary>
    private sealed class Block(ClearingMemoryPool pool) : IMemoryOwner<byte>
    {
        private byte[]? _array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Take(byte[] array) => _array = array;

        public void Dispose()
        {
            byte[]? array = _array;
            if (array is null)
            {
                return;
            }

            _array = null;
            pool.ReturnArray(array);
            pool._idle.Enqueue(this);
        }
    }
}
