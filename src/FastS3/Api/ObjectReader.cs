using System.Buffers;
using FastS3.Crypto;
using Microsoft.Win32.SafeHandles;

namespace FastS3.Api;

/// <summary>
/// Reads a range of an object's plaintext from its data file (or, for a small object, the stored
/// bytes kept in its record), a batch at a time: plain data as it is, SSE-C data decrypted segment
/// by segment and authenticated before any byte is handed out, so damaged data is never returned
/// (the read throws instead).
/// </summary>
internal sealed class ObjectReader : IDisposable
{
    private const int Batch = 4;

    private readonly SafeFileHandle? _file;
    private readonly ReadOnlyMemory<byte> _inline;
    private readonly SegmentDecryptor? _decryptor;
    private readonly byte[] _stored;
    private readonly byte[] _plain;
    private readonly SegmentRange _segments;
    private long _offset;
    private long _remaining;
    private long _index;
    private int _skip;

    private ObjectReader(SafeFileHandle? file, ReadOnlyMemory<byte> inline, SegmentDecryptor? decryptor, SegmentRange segments, ByteRange range)
    {
        _file = file;
        _inline = inline;
        _decryptor = decryptor;
        _segments = segments;
        _stored = ArrayPool<byte>.Shared.Rent(Batch * SegmentFormat.StoredSegmentSize);
        _plain = decryptor is null ? _stored : ArrayPool<byte>.Shared.Rent(Batch * SegmentFormat.SegmentSize);
        _index = segments.FirstSegment;
        _offset = decryptor is null ? range.Start : segments.StoredOffset;
        _remaining = range.Length;
        _skip = segments.Skip;
    }

    /// <summary>
    /// Opens a reader for <paramref name="range"/> (not empty) of the stored bytes in <paramref name="file"/>,
    /// or in <paramref name="inline"/> when there is no file; <paramref name="objectKey"/> is empty for plain objects.
    /// </summary>
    public static async ValueTask<ObjectReader> OpenAsync(SafeFileHandle? file, ReadOnlyMemory<byte> inline, long size, ByteRange range, ReadOnlyMemory<byte> objectKey)
    {
        if (objectKey.IsEmpty)
        {
            return new ObjectReader(file, inline, null, default, range);
        }

        byte[] header = new byte[SegmentFormat.HeaderSize];
        await ReadExactlyAsync(file, inline, header, 0);
        if (!SegmentDecryptor.TryCreate(objectKey.Span, header, out SegmentDecryptor? decryptor))
        {
            throw new IOException("Encrypted data header failed validation.");
        }

        return new ObjectReader(file, inline, decryptor, SegmentFormat.GetRange(size, range.Start, range.Length), range);
    }

    /// <summary>The next plaintext bytes (valid until the next call), or empty at the end of the range.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync()
    {
        if (_remaining == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (_decryptor is null)
        {
            int want = (int)Math.Min(_stored.Length, _remaining);
            await ReadExactlyAsync(_file, _inline, _stored.AsMemory(0, want), _offset);
            _offset += want;
            _remaining -= want;
            return _stored.AsMemory(0, want);
        }

        int count = (int)Math.Min(Batch, _segments.LastSegment - _index + 1);
        int bytes = (int)Math.Min((long)count * SegmentFormat.StoredSegmentSize, _segments.StoredOffset + _segments.StoredLength - _offset);
        await ReadExactlyAsync(_file, _inline, _stored.AsMemory(0, bytes), _offset);
        bool endsWithFinal = _index + count - 1 == _segments.LastSegment && _segments.LastIsFinal;
        if (!_decryptor.TryDecryptSegments(_index, endsWithFinal, _stored.AsSpan(0, bytes), _plain, out int written))
        {
            throw new IOException("Encrypted data failed authentication.");
        }

        int take = (int)Math.Min(written - _skip, _remaining);
        ReadOnlyMemory<byte> chunk = _plain.AsMemory(_skip, take);
        _remaining -= take;
        _skip = 0;
        _index += count;
        _offset += bytes;
        return chunk;
    }

    public void Dispose()
    {
        _decryptor?.Dispose();
        if (_decryptor is not null)
        {
            ArrayPool<byte>.Shared.Return(_plain, clearArray: true);
        }

        ArrayPool<byte>.Shared.Return(_stored);
    }

    private static async ValueTask ReadExactlyAsync(SafeFileHandle? file, ReadOnlyMemory<byte> inline, Memory<byte> buffer, long offset)
    {
        if (file is null)
        {
            if (offset + buffer.Length > inline.Length)
            {
                throw new IOException("Inline data is shorter than its record.");
            }

            inline.Slice((int)offset, buffer.Length).CopyTo(buffer);
            return;
        }

        while (!buffer.IsEmpty)
        {
            int read = await RandomAccess.ReadAsync(file, buffer, offset);
            if (read == 0)
            {
                throw new IOException("Data file is shorter than its record.");
            }

            buffer = buffer[read..];
            offset += read;
        }
    }
}
