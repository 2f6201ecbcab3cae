using System.Security.Cryptography;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// Where a stored object's bytes are: inside its record (small objects), one data file, or
/// (multipart objects) the part files its part table lists, each an encrypted stream of its own
/// under its part key when the object is SSE-C.
/// </summary>
internal sealed class ObjectContent
{
    /// <summary>Part files opened before the answer starts; later ones open as the read reaches them.</summary>
    private const int EagerOpens = 64;

    private readonly Bucket _bucket;

    private ObjectContent(Bucket bucket, PartEntry[] parts, PartTable? table, ReadOnlyMemory<byte> inline)
    {
        _bucket = bucket;
        Parts = parts;
        Table = table;
        Inline = inline;
    }

    /// <summary>The stored bytes of a small object kept in its record; empty otherwise.</summary>
    public ReadOnlyMemory<byte> Inline { get; }

    public bool IsInline => !Inline.IsEmpty;

    /// <summary>The parts in order; a single-stream object is one entry numbered 0.</summary>
    public PartEntry[] Parts { get; }

    /// <summary>The part table of a multipart object, else null.</summary>
    public PartTable? Table { get; }

    public bool IsMultipart => Table is not null;

    /// <summary>Loads where the bytes of <paramref name="record"/> are; null when its part table is gone (the object was replaced meanwhile) or damaged.</summary>
    public static async ValueTask<ObjectContent?> LoadAsync(Bucket bucket, ReadOnlyMemory<byte> record)
    {
        ObjectRecord.TryRead(record.Span, out ObjectRecord read);
        var single = new PartEntry(0, read.DataId, read.Size, read.StoredSize);
        if (!read.Has(RecordFlags.Multipart))
        {
            return new ObjectContent(bucket, [single], null, ObjectRecord.FieldMemory(record, RecordField.InlineData));
        }

        PartTable? table = await bucket.ReadPartTableAsync(single.DataId);
        return table is null || table.Size != single.Size ? null : new ObjectContent(bucket, table.Parts, table, default);
    }

    /// <summary>
    /// For SSE-C multipart objects: true when the part table is the one the customer's object key
    /// sealed: by its table MAC, no part dropped, added, reordered or resized; by per-part MACs (a
    /// Complete sent without the key), each part is one uploaded to this upload under that number,
    /// with these sizes.
    /// </summary>
    public bool IsAuthentic(DataKey objectKey)
    {
        if (Table is null)
        {
            return true;
        }

        Span<byte> mac = stackalloc byte[PartTable.MacSize];
        if (Table.Mac.Length == PartTable.MacSize)
        {
            ObjectKey.MacPartTable(objectKey.Span, Table.MacInput.Span, mac);
            return CryptographicOperations.FixedTimeEquals(mac, Table.Mac.Span);
        }

        if (Table.PartMacs.Length != Parts.Length * PartTable.MacSize)
        {
            return false;
        }

        Span<byte> input = stackalloc byte[PartTable.PartMacInputSize];
        for (int i = 0; i < Parts.Length; i++)
        {
            PartTable.WritePartMacInput(Table.UploadId, Parts[i], input);
            ObjectKey.MacPart(objectKey.Span, input, mac);
            if (!CryptographicOperations.FixedTimeEquals(mac, Table.PartMacs.Span.Slice(i * PartTable.MacSize, PartTable.MacSize)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The plaintext range part <paramref name="partNumber"/> of a multipart object covers; false when there is no such part.</summary>
    public bool TryGetPartRange(int partNumber, out ByteRange range)
    {
        range = default;
        if (Table is null || partNumber < 1 || partNumber > Parts.Length)
        {
            return false;
        }

        // Parts are numbered by the client (gaps allowed); ?partNumber=N means the N-th part, as in S3.
        range = new ByteRange(Table.StartOf(partNumber - 1), Parts[partNumber - 1].Size);
        return true;
    }

    /// <summary>
    /// Opens a reader over <paramref name="range"/> (not empty) of the plaintext; <paramref name="objectKey"/>
    /// is empty for plain objects, else it stays the caller's, to keep until the reader is disposed.
    /// The part keys of a multipart SSE-C object are the reader's, taken from <paramref name="keys"/>.
    /// The first files are opened here, so a missing file shows now.
    /// </summary>
    public ContentReader OpenReader(ByteRange range, DataKey objectKey, DataKeys keys)
    {
        int first = Table?.IndexOf(range.Start) ?? 0;
        int last = Table?.IndexOf(range.End) ?? 0;
        var parts = new StoredBytes?[last - first + 1];
        try
        {
            for (int i = 0; i < parts.Length && i < EagerOpens; i++)
            {
                parts[i] = OpenPart(first + i);
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

        return new ContentReader(this, parts, first, range, objectKey, objectKey.IsEmpty || !IsMultipart ? default : keys.Take());
    }

    internal StoredBytes OpenPart(int index) => IsInline ? new StoredBytes(Inline) : _bucket.OpenData(Parts[index].DataId);

    internal long StartOf(int index) => Table?.StartOf(index) ?? 0;
}

/// <summary>
/// Reads a plaintext range across an object's parts, a batch at a time (see <see cref="ObjectReader"/>):
/// SSE-C parts are decrypted under their own part keys and authenticated before any byte is handed out.
/// </summary>
internal sealed class ContentReader : IDisposable
{
    private readonly ObjectContent _content;
    private readonly StoredBytes?[] _parts;
    private readonly int _firstIndex;
    private readonly DataKey _objectKey;
    private readonly DataKey _partKey;
    private ObjectReader? _current;
    private int _position;
    private long _offset;
    private long _remaining;

    internal ContentReader(ObjectContent content, StoredBytes?[] parts, int firstIndex, ByteRange range, DataKey objectKey, DataKey partKey)
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
