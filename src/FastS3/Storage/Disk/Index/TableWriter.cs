using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using FastS3.Storage.Disk.Native;

namespace FastS3.Storage.Disk.Index;

/// <summary>
/// Writes one table file from entries given in strictly increasing key order (see
/// <see cref="TableFormat"/>). <see cref="Finish"/> makes it durable; disposing an unfinished
/// writer deletes the partial file.
/// </summary>
internal sealed class TableWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly int _blockSize;
    private readonly ArrayBufferWriter<byte> _block;
    private readonly ArrayBufferWriter<byte> _index = new();
    private readonly byte[] _lastKey = new byte[OrderedIndex.MaxKeyLength];
    private int _lastKeyLength;
    private long _offset;
    private bool _finished;

    public TableWriter(string path, int blockSize)
    {
        Path = path;
        _blockSize = blockSize;
        _block = new ArrayBufferWriter<byte>(blockSize * 2);
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 256 * 1024);
    }

    public string Path { get; }

    public long EntryCount { get; private set; }

    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool tombstone)
    {
        int shared = _block.WrittenCount == 0 ? 0 : key.CommonPrefixLength(_lastKey.AsSpan(0, _lastKeyLength));
        Varint.Write(_block, (ulong)shared);
        Varint.Write(_block, (ulong)(key.Length - shared));
        Varint.Write(_block, tombstone ? 0 : (ulong)value.Length + 1);
        _block.Write(key[shared..]);
        if (!tombstone)
        {
            _block.Write(value);
        }

        key.CopyTo(_lastKey);
        _lastKeyLength = key.Length;
        EntryCount++;
        if (_block.WrittenCount >= _blockSize)
        {
            FinishBlock();
        }
    }

    /// <summary>Writes the last block, the index and the footer, and fdatasyncs the file.</summary>
    public void Finish()
    {
        if (_block.WrittenCount > 0)
        {
            FinishBlock();
        }

        AppendCrc(_index);
        long indexOffset = _offset;
        _file.Write(_index.WrittenSpan);

        Span<byte> footer = stackalloc byte[TableFormat.FooterLength];
        TableFormat.WriteFooter(footer, indexOffset, _index.WrittenCount, EntryCount);
        _file.Write(footer);
        _file.Flush();
        NativeFile.DataSync(_file.SafeFileHandle, Path);
        _file.Dispose();
        _finished = true;
    }

    public void Dispose()
    {
        if (!_finished)
        {
            try
            {
                _file.Dispose();
            }
            catch (IOException)
            {
                // Flushing the buffered rest failed as the write before it did (a full disk); the handle is closed anyway.
            }

            File.Delete(Path);
        }
    }

    private void FinishBlock()
    {
        AppendCrc(_block);
        _file.Write(_block.WrittenSpan);

        Varint.Write(_index, (ulong)_lastKeyLength);
        _index.Write(_lastKey.AsSpan(0, _lastKeyLength));
        Varint.Write(_index, (ulong)_offset);
        Varint.Write(_index, (ulong)_block.WrittenCount);

        _offset += _block.WrittenCount;
        _block.ResetWrittenCount();
    }

    private static void AppendCrc(ArrayBufferWriter<byte> buffer)
    {
        uint crc = Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, buffer.WrittenSpan);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.GetSpan(TableFormat.BlockTrailerLength), crc);
        buffer.Advance(TableFormat.BlockTrailerLength);
    }
}
