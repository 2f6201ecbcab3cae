using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace FastS3.Storage;

/// <summary>
/// Page-aligned native blocks for data-file writes. O_DIRECT needs buffer address, length and file
/// offset aligned to the device's logical block (512 B here; 4 KiB covers every common device), and
/// native memory never moves, so the kernel can DMA straight from it. Blocks are allocated on
/// demand and a bounded number are kept for reuse.
/// </summary>
public sealed class AlignedBlockPool : IDisposable
{
    public const int Alignment = 4096;

    private readonly ConcurrentQueue<AlignedBlock> _free = new();
    private readonly int _maxRetained;
    private int _retained;

    public AlignedBlockPool(int blockSize = 1024 * 1024, int maxRetained = 32)
    {
        if (blockSize % Alignment != 0)
        {
            throw new ArgumentException("Block size must be a multiple of the alignment.", nameof(blockSize));
        }

        BlockSize = blockSize;
        _maxRetained = maxRetained;
    }

    public int BlockSize { get; }

    public AlignedBlock Rent()
    {
        if (_free.TryDequeue(out AlignedBlock? block))
        {
            Interlocked.Decrement(ref _retained);
            return block;
        }

        return new AlignedBlock(BlockSize);
    }

    public void Return(AlignedBlock block)
    {
        if (Interlocked.Increment(ref _retained) <= _maxRetained)
        {
            _free.Enqueue(block);
            return;
        }

        Interlocked.Decrement(ref _retained);
        ((IDisposable)block).Dispose();
    }

    public void Dispose()
    {
        while (_free.TryDequeue(out AlignedBlock? block))
        {
            ((IDisposable)block).Dispose();
        }
    }
}

/// <summary>One aligned native block, usable as Memory&lt;byte&gt; for async file APIs.</summary>
public sealed unsafe class AlignedBlock : MemoryManager<byte>
{
    private readonly int _length;
    private byte* _pointer;

    internal AlignedBlock(int length)
    {
        _length = length;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, AlignedBlockPool.Alignment);
    }

    public override Span<byte> GetSpan() => new(_pointer, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
