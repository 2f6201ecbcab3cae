using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace FastS3.Storage.Disk;

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

/// <summary>
/// One aligned native block, usable as Memory&lt;byte&gt; for async file APIs. Mapped from the
/// kernel rather than malloc'd: its pages are committed only as they are written, so an upload
/// stalled after 64 KiB holds 64 KiB, not the block (malloc fills every block it hands out once
/// M_PERTURB is set, see FreedNativeMemory), and unmapping gives them back whole.
/// </summary>
public sealed unsafe partial class AlignedBlock : MemoryManager<byte>
{
    private const int ProtReadWrite = 0x1 | 0x2;
    private const int MapPrivateAnonymous = 0x02 | 0x20;

    private readonly int _length;
    private byte* _pointer;

    internal AlignedBlock(int length)
    {
        _length = length;
        void* mapped = Mmap(null, (nuint)length, ProtReadWrite, MapPrivateAnonymous, -1, 0);
        if (mapped == (void*)-1)
        {
            throw new InsufficientMemoryException($"mmap of a {length}-byte block failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        _pointer = (byte*)mapped;
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
            int unmapped = Munmap(_pointer, (nuint)_length);
            Debug.Assert(unmapped == 0, "munmap fails only for a range that was never mapped");
            _pointer = null;
        }
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial void* Mmap(void* address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "munmap")]
    private static partial int Munmap(void* address, nuint length);
}
