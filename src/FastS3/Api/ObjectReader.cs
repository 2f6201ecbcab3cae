using System.Buffers;
using FastS3.Basics;
using FastS3.Crypto;
using FastS3.Storage;

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

    private readonly StoredBytes _data;
    private readonly SegmentDecryptor? _decryptor;
    private readonly byte[] _stored;
    private readonly byte[] _plain;
    private readonly SegmentRange _segments;
    private long _offset;
    private long _remaining;
    private long _index;
    private int _skip;

    private ObjectReader(StoredBytes data, SegmentDecryptor? decryptor, SegmentRange segments, ByteRange range)
    {
        _data = data;
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
    /// Opens a reader for <paramref name="range"/> (not empty) of the plaintext of <paramref name="data"/>,
    /// whose owner keeps it open; <paramref name="objectKey"/> is empty for plain objects.
    /// </summary>
    public static async ValueTask<ObjectReader> OpenAsync(StoredBytes data, long size, ByteRange range, ReadOnlyMemory<byte> objectKey)
    {
        if (objectKey.IsEmpty)
        {
            return new ObjectReader(data, null, default, range);
        }

        byte[] header = new byte[SegmentFormat.HeaderSize];
        await data.ReadExactlyAsync(header, 0);
        if (!SegmentDecryptor.TryCreate(objectKey.Span, header, out SegmentDecryptor? decryptor))
        {
            throw new S3Exception(S3Errors.StoredDataDamaged);
        }

        return new ObjectReader(data, decryptor, SegmentFormat.GetRange(size, range.Start, range.Length), range);
    }

    /// <summary>
    /// The next plaintext bytes (valid until the next call), or empty at the end of the range. Whole
    /// decrypted segments go straight into <paramref name="into"/> when it is given and has room
    /// (a response's pipe memory: no copy); otherwise, and for the partial segments at a range's
    /// ends, the result is in the reader's own buffer.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(Memory<byte> into = default)
    {
        if (_remaining == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (_decryptor is null)
        {
            int want = (int)Math.Min(_stored.Length, _remaining);
            await _data.ReadExactlyAsync(_stored.AsMemory(0, want), _offset);
            _offset += want;
            _remaining -= want;
            return _stored.AsMemory(0, want);
        }

        int count = (int)Math.Min(Batch, _segments.LastSegment - _index + 1);
        int bytes = (int)Math.Min((long)count * SegmentFormat.StoredSegmentSize, _segments.StoredOffset + _segments.StoredLength - _offset);
        await _data.ReadExactlyAsync(_stored.AsMemory(0, bytes), _offset);
        bool endsWithFinal = _index + count - 1 == _segments.LastSegment && _segments.LastIsFinal;
        int plainBytes = bytes - (count * SegmentFormat.TagSize);
        Memory<byte> target = _skip == 0 && plainBytes <= _remaining && plainBytes <= into.Length ? into : _plain;
        if (!_decryptor.TryDecryptSegments(_index, endsWithFinal, _stored.AsSpan(0, bytes), target.Span, out int written))
        {
            throw new S3Exception(S3Errors.StoredDataDamaged);
        }

        int take = (int)Math.Min(written - _skip, _remaining);
        ReadOnlyMemory<byte> chunk = target.Slice(_skip, take);
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
}
