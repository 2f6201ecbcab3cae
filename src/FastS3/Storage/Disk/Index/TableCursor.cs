using System.Buffers;

namespace FastS3.Storage.Disk.Index;

/// <summary>
/// Walks one table through a fixed pooled buffer. A seek reads just the block it lands in;
/// moving on reads the following blocks 32 KiB at a time, since a listing goes on in order.
/// </summary>
internal sealed class TableCursor : IndexCursor
{
    private const int ReadAhead = 32 * 1024;

    private readonly Table _table;
    private readonly byte[] _buffer;
    private readonly byte[] _key;
    private long _bufferOffset; // the file range in _buffer
    private int _bufferLength;
    private int _blockIndex;
    private int _blockEnd;
    private int _position;
    private int _keyLength;
    private int _valueOffset;
    private int _valueLength;
    private bool _valid;
    private bool _disposed;

    public TableCursor(Table table)
    {
        _table = table;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(table.MaxBlockLength, ReadAhead));
        _key = ArrayPool<byte>.Shared.Rent(OrderedIndex.MaxKeyLength);
    }

    public override bool IsValid => _valid;

    public override ReadOnlySpan<byte> Key => _key.AsSpan(0, _keyLength);

    public override ReadOnlySpan<byte> Value => _valueLength < 0 ? default : _buffer.AsSpan(_valueOffset, _valueLength);

    public override bool IsTombstone => _valueLength < 0;

    public override void Seek(ReadOnlySpan<byte> target)
    {
        _valid = LoadBlock(_table.FindBlock(target), readAhead: false) && Step();
        while (_valid && Key.SequenceCompareTo(target) < 0)
        {
            Next();
        }
    }

    public override void Next() => _valid = Step() || (LoadBlock(_blockIndex + 1, readAhead: true) && Step());

    public override void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _valid = false;
            ArrayPool<byte>.Shared.Return(_buffer);
            ArrayPool<byte>.Shared.Return(_key);
        }

        base.Dispose();
    }

    private bool LoadBlock(int block, bool readAhead)
    {
        _blockIndex = block;
        if (block >= _table.BlockCount)
        {
            return false;
        }

        long offset = _table.BlockOffset(block);
        int length = _table.BlockLength(block);
        if (offset < _bufferOffset || offset + length > _bufferOffset + _bufferLength)
        {
            int read = readAhead ? (int)Math.Min(_buffer.Length, _table.DataLength - offset) : length;
            _table.Read(offset, _buffer.AsSpan(0, read));
            _bufferOffset = offset;
            _bufferLength = read;
        }

        _position = (int)(offset - _bufferOffset);
        _blockEnd = _position + TableFormat.VerifyBlock(_buffer.AsSpan(_position, length), _table.Path, offset);
        _keyLength = 0;
        return true;
    }

    private bool Step()
    {
        if (_position >= _blockEnd)
        {
            return false;
        }

        TableFormat.ReadEntry(_buffer.AsSpan(0, _blockEnd), ref _position, _key, ref _keyLength, out _valueOffset, out _valueLength);
        return true;
    }
}
