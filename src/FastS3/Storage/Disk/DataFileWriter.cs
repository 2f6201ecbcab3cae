using Microsoft.Win32.SafeHandles;
using FastS3.Storage.Disk.Native;

namespace FastS3.Storage.Disk;

/// <summary>
/// Streams one object's bytes into a new temporary file through aligned blocks, two at a time: the
/// caller fills one while the other is written, so producing (hashing, encrypting) and disk I/O
/// overlap. Commit pads the unaligned tail for O_DIRECT and truncates it off, fdatasyncs, renames
/// the file into place and fsyncs the directory; until then nothing is visible under the final
/// name, and Abort (or a crash) leaves only a temporary file that start-up cleans away.
/// </summary>
public sealed class DataFileWriter : IDataWriter
{
    private readonly AlignedBlockPool _pool;
    private readonly SafeFileHandle _handle;
    private readonly string _tempPath;
    private readonly bool _direct;
    private readonly Func<Guid, string>? _pathOf;
    private AlignedBlock _current;
    private AlignedBlock? _spare;
    private Task _pendingWrite = Task.CompletedTask;
    private int _filled;
    private long _flushed;
    private long _writebackStarted;
    private bool _finished;

    /// <summary>
    /// Buffered writes hand every this many bytes to the kernel's write-back as they go, so a large
    /// object's fdatasync waits for the last stretch instead of all of it, and the disk works while
    /// the body is still arriving.
    /// </summary>
    private const long WritebackStride = 8 * 1024 * 1024;

    private DataFileWriter(AlignedBlockPool pool, SafeFileHandle handle, string tempPath, bool direct, Func<Guid, string>? pathOf)
    {
        _pathOf = pathOf;
        _pool = pool;
        _handle = handle;
        _tempPath = tempPath;
        _direct = direct;
        _current = pool.Rent();
    }

    /// <summary>Bytes accepted so far.</summary>
    public long Length => _flushed + _filled;

    /// <summary>A writer into a new file at <paramref name="tempPath"/>; <paramref name="pathOf"/> names the final file of a data id (see <see cref="IDataWriter.CommitAsync"/>).</summary>
    public static DataFileWriter Create(string tempPath, WriteMode mode, AlignedBlockPool pool, Func<Guid, string>? pathOf = null)
        => new(pool, NativeFile.CreateNew(tempPath, mode == WriteMode.Direct), tempPath, mode == WriteMode.Direct, pathOf);

    /// <summary>Free space in the current block (never empty); fill it, then call <see cref="AdvanceAsync"/>.</summary>
    public Memory<byte> GetMemory() => _current.Memory[_filled..];

    public ValueTask AdvanceAsync(int count)
    {
        _filled += count;
        return _filled == _pool.BlockSize ? SubmitAsync() : ValueTask.CompletedTask;
    }

    /// <summary>Copies <paramref name="data"/> in.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            Memory<byte> free = GetMemory();
            int take = Math.Min(free.Length, data.Length);
            data[..take].CopyTo(free);
            data = data[take..];
            await AdvanceAsync(take);
        }
    }

    ValueTask IDataWriter.CommitAsync(Guid id) => CommitAsync(_pathOf!(id));

    /// <summary>Makes the file durable under <paramref name="finalPath"/> (replacing any file there).</summary>
    public async ValueTask CommitAsync(string finalPath)
    {
        await TakePendingWrite();
        long length = Length;
        if (_filled > 0)
        {
            // O_DIRECT writes whole aligned blocks; the padding is cut off again below.
            int size = _direct ? AlignUp(_filled) : _filled;
            _current.Memory.Span[_filled..size].Clear();
            await WriteBlockAsync(_current.Memory[..size], _flushed);
        }

        if (_direct && length % AlignedBlockPool.Alignment != 0)
        {
            NativeFile.Truncate(_handle, length, _tempPath);
        }

        NativeFile.DataSync(_handle, _tempPath);
        _handle.Dispose();
        File.Move(_tempPath, finalPath, overwrite: true);
        NativeFile.SyncDirectory(Path.GetDirectoryName(finalPath)!);
        _finished = true;
        ReturnBlocks();
    }

    /// <summary>Discards the temporary file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        try
        {
            await TakePendingWrite();
        }
        catch (IOException)
        {
            // The write that failed is why we are aborting.
        }

        _handle.Dispose();
        File.Delete(_tempPath);
        ReturnBlocks();
    }

    private async ValueTask SubmitAsync()
    {
        // Wait for the previous block before reusing the spare it came from.
        await TakePendingWrite();
        AlignedBlock full = _current;
        long offset = _flushed;
        _flushed += _filled;
        _filled = 0;
        _current = _spare ?? _pool.Rent();
        _spare = full;
        _pendingWrite = WriteBlockAsync(full.Memory, offset);
    }

    private async Task WriteBlockAsync(ReadOnlyMemory<byte> block, long offset)
    {
        try
        {
            await RandomAccess.WriteAsync(_handle, block, offset);
            long written = offset + block.Length;
            if (!_direct && written - _writebackStarted >= WritebackStride)
            {
                NativeFile.StartWriteback(_handle, _writebackStarted, written - _writebackStarted);
                _writebackStarted = written;
            }
        }
        catch (IOException ex) when (StorageFullException.IsNoSpace(ex))
        {
            throw new StorageFullException(ex.Message);
        }
    }

    // Taken out before it is awaited, so a failed write is thrown once: Abort after it does not see it again.
    private Task TakePendingWrite()
    {
        Task pending = _pendingWrite;
        _pendingWrite = Task.CompletedTask;
        return pending;
    }

    private void ReturnBlocks()
    {
        _pool.Return(_current);
        if (_spare is not null)
        {
            _pool.Return(_spare);
            _spare = null;
        }
    }

    private static int AlignUp(int length) => (length + AlignedBlockPool.Alignment - 1) & ~(AlignedBlockPool.Alignment - 1);
}
