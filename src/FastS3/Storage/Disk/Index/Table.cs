using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace FastS3.Storage.Disk.Index;

/// <summary>
/// An open, immutable table file: its block index in memory, blocks read on demand with pread.
/// Reference-counted by the versions that include it; when the last reference goes the handle is
/// closed and, if compaction replaced the table, the file deleted.
/// </summary>
internal sealed class Table
{
    private readonly SafeFileHandle _handle;
    private readonly byte[] _index;
    private readonly int[] _keyOffsets;
    private readonly int[] _keyLengths;
    private readonly long[] _blockOffsets;
    private readonly int[] _blockLengths;
    private int _references;
    private volatile bool _obsolete;

    private Table(string path, long number, SafeFileHandle handle, long length, long dataLength, byte[] index, int[] keyOffsets, int[] keyLengths, long[] blockOffsets, int[] blockLengths)
    {
        Path = path;
        Number = number;
        _handle = handle;
        Length = length;
        DataLength = dataLength;
        _index = index;
        _keyOffsets = keyOffsets;
        _keyLengths = keyLengths;
        _blockOffsets = blockOffsets;
        _blockLengths = blockLengths;
        MaxBlockLength = blockLengths.Length == 0 ? 0 : blockLengths.Max();
    }

    public string Path { get; }

    public long Number { get; }

    public long Length { get; }

    public int BlockCount => _blockOffsets.Length;

    public int MaxBlockLength { get; }

    public static Table Open(string path, long number)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length < TableFormat.FooterLength)
            {
                throw TableFormat.Corrupt(path, "shorter than a footer");
            }

            Span<byte> footer = stackalloc byte[TableFormat.FooterLength];
            ReadExactly(handle, footer, length - TableFormat.FooterLength, path);
            TableFormat.ReadFooter(footer, path, out long indexOffset, out int indexLength);
            if (indexOffset < 0 || indexLength < TableFormat.BlockTrailerLength || indexOffset + indexLength + TableFormat.FooterLength != length)
            {
                throw TableFormat.Corrupt(path, "index out of place");
            }

            var index = new byte[indexLength];
            ReadExactly(handle, index, indexOffset, path);
            int end = TableFormat.VerifyBlock(index, path, indexOffset);

            var keyOffsets = new List<int>();
            var keyLengths = new List<int>();
            var blockOffsets = new List<long>();
            var blockLengths = new List<int>();
            int position = 0;
            while (position < end)
            {
                int keyLength = (int)Varint.Read(index, ref position);
                keyOffsets.Add(position);
                keyLengths.Add(keyLength);
                position += keyLength;
                long blockOffset = (long)Varint.Read(index, ref position);
                ulong blockLength = Varint.Read(index, ref position);
                if (keyLength > OrderedIndex.MaxKeyLength || position > end || blockLength > int.MaxValue || blockOffset + (long)blockLength > indexOffset)
                {
                    throw TableFormat.Corrupt(path, "malformed index");
                }

                blockOffsets.Add(blockOffset);
                blockLengths.Add((int)blockLength);
            }

            return new Table(path, number, handle, length, indexOffset, index, [.. keyOffsets], [.. keyLengths], [.. blockOffsets], [.. blockLengths]);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public void AddReference() => Interlocked.Increment(ref _references);

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _handle.Dispose();
            if (_obsolete)
            {
                File.Delete(Path);
            }
        }
    }

    /// <summary>Compaction replaced this table: delete the file once no version uses it.</summary>
    public void MarkObsolete() => _obsolete = true;

    /// <summary>Closes a table that never joined a version; its file stays for recovery to judge.</summary>
    public void Close() => _handle.Dispose();

    /// <summary>The first block whose last key is ≥ <paramref name="key"/>; <see cref="BlockCount"/> when none.</summary>
    public int FindBlock(ReadOnlySpan<byte> key)
    {
        int low = 0;
        int high = _blockOffsets.Length;
        while (low < high)
        {
            int middle = (int)((uint)(low + high) >> 1);
            if (_index.AsSpan(_keyOffsets[middle], _keyLengths[middle]).SequenceCompareTo(key) < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    public long BlockOffset(int block) => _blockOffsets[block];

    public int BlockLength(int block) => _blockLengths[block];

    /// <summary>Where the data blocks end (and the index begins).</summary>
    public long DataLength { get; }

    /// <summary>Reads file bytes at <paramref name="offset"/>; the caller verifies each block in them.</summary>
    public void Read(long offset, Span<byte> destination) => ReadExactly(_handle, destination, offset, Path);

    /// <summary>True when the table has an entry for the key; <paramref name="value"/> is null for a tombstone.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, out byte[]? value)
    {
        value = null;
        int block = FindBlock(key);
        if (block == BlockCount)
        {
            return false;
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxBlockLength);
        try
        {
            Span<byte> bytes = buffer.AsSpan(0, _blockLengths[block]);
            Read(_blockOffsets[block], bytes);
            int end = TableFormat.VerifyBlock(bytes, Path, _blockOffsets[block]);
            ReadOnlySpan<byte> entries = bytes[..end];
            Span<byte> current = stackalloc byte[OrderedIndex.MaxKeyLength];
            int keyLength = 0;
            int position = 0;
            while (position < end)
            {
                TableFormat.ReadEntry(entries, ref position, current, ref keyLength, out int valueOffset, out int valueLength);
                int order = current[..keyLength].SequenceCompareTo(key);
                if (order == 0)
                {
                    value = valueLength < 0 ? null : entries.Slice(valueOffset, valueLength).ToArray();
                    return true;
                }

                if (order > 0)
                {
                    break;
                }
            }

            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long offset, string path)
    {
        while (!buffer.IsEmpty)
        {
            int read = RandomAccess.Read(handle, buffer, offset);
            if (read == 0)
            {
                throw TableFormat.Corrupt(path, "truncated");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
