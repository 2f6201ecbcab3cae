using System.Security.Cryptography;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// What the S3 layer adds to a <see cref="StoredContent"/>: the check that an SSE-C multipart
/// object's part table is the one its object key sealed, and readers of plaintext ranges.
/// </summary>
internal static class ObjectContent
{
    /// <summary>Parts opened before the answer starts; later ones open as the read reaches them.</summary>
    private const int EagerOpens = 64;

    /// <summary>
    /// For SSE-C multipart objects: true when the part table is the one the customer's object key
    /// sealed: by its table MAC, no part dropped, added, reordered or resized; by per-part MACs (a
    /// Complete sent without the key), each part is one uploaded to this upload under that number,
    /// with these sizes.
    /// </summary>
    public static bool IsAuthentic(this StoredContent content, DataKey objectKey)
    {
        PartTable? table = content.Table;
        if (table is null)
        {
            return true;
        }

        Span<byte> mac = stackalloc byte[PartTable.MacSize];
        if (table.Mac.Length == PartTable.MacSize)
        {
            ObjectKey.MacPartTable(objectKey.Span, table.MacInput.Span, mac);
            return CryptographicOperations.FixedTimeEquals(mac, table.Mac.Span);
        }

        PartEntry[] parts = content.Parts;
        if (table.PartMacs.Length != parts.Length * PartTable.MacSize)
        {
            return false;
        }

        Span<byte> input = stackalloc byte[PartTable.PartMacInputSize];
        for (int i = 0; i < parts.Length; i++)
        {
            PartTable.WritePartMacInput(table.UploadId, parts[i], input);
            ObjectKey.MacPart(objectKey.Span, input, mac);
            if (!CryptographicOperations.FixedTimeEquals(mac, table.PartMacs.Span.Slice(i * PartTable.MacSize, PartTable.MacSize)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Opens a reader over <paramref name="range"/> (not empty) of the plaintext; <paramref name="objectKey"/>
    /// is empty for plain objects, else it stays the caller's, to keep until the reader is disposed.
    /// The part keys of a multipart SSE-C object are the reader's, taken from <paramref name="keys"/>.
    /// The first parts are opened here, so a missing one shows now.
    /// </summary>
    public static ContentReader OpenReader(this StoredContent content, ByteRange range, DataKey objectKey, DataKeys keys)
    {
        int first = content.IndexOf(range.Start);
        int last = content.IndexOf(range.End);
        var parts = new StoredBytes?[last - first + 1];
        try
        {
            for (int i = 0; i < parts.Length && i < EagerOpens; i++)
            {
                parts[i] = content.OpenPart(first + i);
            }
        }
        catch
        {
            foreach (StoredBytes? part in parts)
            {
                part?.Dispose();
            }

            throw;
        }

        return new ContentReader(content, parts, first, range, objectKey, objectKey.IsEmpty || !content.IsMultipart ? default : keys.Take());
    }
}

/// <summary>
/// Reads a plaintext range across an object's parts, a batch at a time (see <see cref="ObjectReader"/>):
/// SSE-C parts are decrypted under their own part keys and authenticated before any byte is handed out.
/// </summary>
internal sealed class ContentReader : IDisposable
{
    private readonly StoredContent _content;
    private readonly StoredBytes?[] _parts;
    private readonly int _firstIndex;
    private readonly DataKey _objectKey;
    private readonly DataKey _partKey;
    private ObjectReader? _current;
    private int _position;
    private long _offset;
    private long _remaining;

    internal ContentReader(StoredContent content, StoredBytes?[] parts, int firstIndex, ByteRange range, DataKey objectKey, DataKey partKey)
    {
        _content = content;
        _parts = parts;
        _firstIndex = firstIndex;
        _objectKey = objectKey;
        _partKey = partKey;
        _offset = range.Start;
        _remaining = range.Length;
    }

    /// <summary>The next plaintext bytes (valid until the next call), or empty at the end of the range; see <see cref="ObjectReader.ReadAsync"/> for <paramref name="into"/>.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(Memory<byte> into = default)
    {
        while (_remaining > 0)
        {
            if (_current is null)
            {
                _current = await OpenNextAsync();
            }

            ReadOnlyMemory<byte> chunk = await _current.ReadAsync(into);
            if (!chunk.IsEmpty)
            {
                _offset += chunk.Length;
                _remaining -= chunk.Length;
                return chunk;
            }

            _current.Dispose();
            _current = null;
            Release(_firstIndex + _position);
            _position++;
        }

        return ReadOnlyMemory<byte>.Empty;
    }

    private async ValueTask<ObjectReader> OpenNextAsync()
    {
        int index = _firstIndex + _position;
        PartEntry part = _content.Parts[index];
        StoredBytes data = DataFor(index);
        long start = _offset - _content.StartOf(index);
        var range = new ByteRange(start, Math.Min(part.Size - start, _remaining));
        if (_partKey.IsEmpty)
        {
            return await ObjectReader.OpenAsync(data, part.Size, range, _objectKey.Memory);
        }

        // Each part of an SSE-C multipart object is encrypted under its own part key.
        ObjectKey.DerivePartKey(_objectKey.Span, part.Number, _partKey.Writable);
        return await ObjectReader.OpenAsync(data, part.Size, range, _partKey.Memory);
    }

    /// <summary>The stored bytes of part <paramref name="index"/>, opened if they are not yet: plain reads go from them straight to the socket.</summary>
    public StoredBytes DataFor(int index) => _parts[index - _firstIndex] ??= _content.OpenPart(index);

    /// <summary>Closes the stored bytes of a part the read is done with.</summary>
    public void Release(int index)
    {
        _parts[index - _firstIndex]?.Dispose();
        _parts[index - _firstIndex] = null;
    }

    public void Dispose()
    {
        _current?.Dispose();
        foreach (StoredBytes? part in _parts)
        {
            part?.Dispose();
        }

        _partKey.Dispose();
    }
}
