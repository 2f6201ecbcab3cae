using System.Diagnostics.CodeAnalysis;

namespace FastS3.Storage;

/// <summary>
/// One bucket as the S3 layer sees it, whatever keeps it: its object records (key →
/// <see cref="ObjectRecord"/>), its multipart uploads in progress and lately completed, and its data
/// items (object bytes, parts, part tables), each named by a random id that records point at. A
/// backend supplies the two record tables and the data items; what S3 means by them (tags, usage,
/// which data a replaced record leaves behind, start-up repair) is written once, here.
/// </summary>
public abstract class Bucket : IAsyncDisposable
{
    /// <summary>The bucket's tag set (see <see cref="StoredTags"/>), absent when it has none.</summary>
    private static readonly byte[] TagsKey = [0xFE];

    /// <summary>
    /// The bucket's default encryption (see <see cref="BucketEncryptionConfig"/>), absent when it has
    /// none: after the tag set, before the completed uploads (0xFF…).
    /// </summary>
    private static readonly byte[] EncryptionKey = [0xFE, 0x01];

    /// <summary>How often a tag update starts again over an object written meanwhile before it gives up.</summary>
    private const int MaxTagAttempts = 16;

    private volatile bool _deleted;

    /// <summary>Serialises configuration writes, so the cached value is always the last one written.</summary>
    private readonly SemaphoreSlim _encryptionWrite = new(1, 1);

    private volatile BucketEncryptionConfig? _encryption;

    protected Bucket(string name, DateTimeOffset created, IRecordTable objects, IRecordTable uploads, StoreOptions options)
    {
        Name = name;
        Created = created;
        InlineLimit = options.InlineLimit;
        Objects = objects;
        Uploads = new MultipartUploads(uploads);
        CompletedUploads = new CompletedUploads(objects, options.CompletedUploadLifetime);
        _encryption = objects.TryGetReadOnly(EncryptionKey, out ReadOnlyMemory<byte> stored) && BucketEncryptionConfig.TryDecode(stored.Span, out BucketEncryptionConfig? config) ? config : null;
    }

    public string Name { get; }

    public DateTimeOffset Created { get; }

    /// <summary>New objects of at most this many stored bytes live inside their record (see <see cref="NewObjectData"/>).</summary>
    public int InlineLimit { get; }

    /// <summary>The object records: key → <see cref="ObjectRecord"/>, and the bucket's own records (see <see cref="IsObjectKey"/>).</summary>
    public IRecordTable Objects { get; }

    public MultipartUploads Uploads { get; }

    public CompletedUploads CompletedUploads { get; }

    /// <summary>Set once DeleteBucket has removed it; writes racing with the delete then fail.</summary>
    public bool IsDeleted => _deleted;

    public bool IsEmpty
    {
        get
        {
            using IRecordCursor cursor = Objects.Seek([]);
            return !cursor.MoveNext() || !IsObjectKey(cursor.Key);
        }
    }

    /// <summary>
    /// False for the keys of the bucket's own records in its object table, which listings and checks
    /// pass over. They begin with a byte UTF-8 never has, so no object key collides with them and
    /// they sort after every object key: 0xFE the bucket's tag set, 0xFE 0x01 its default encryption,
    /// 0xFF… completed uploads (see <see cref="CompletedUploads"/>).
    /// </summary>
    public static bool IsObjectKey(ReadOnlySpan<byte> key) => key.IsEmpty || key[0] < TagsKey[0];

    /// <summary>
    /// Starts a new object at <paramref name="key"/> whose stored bytes will be <paramref name="storedLength"/>
    /// long, with <paramref name="draft"/> (a record of what is known before the bytes: flags,
    /// declared sizes, content headers or their sealed form, encryption, tags); <paramref name="condition"/>
    /// is decided when it commits.
    /// </summary>
    public NewObject CreateObject(ReadOnlyMemory<byte> key, byte[] draft, long storedLength, RecordCondition? condition)
        => new(this, key.ToArray(), draft, storedLength, condition);

    /// <summary>Starts a new data item; <see cref="IDataWriter.CommitAsync"/> makes it durable under the id it is given.</summary>
    public abstract IDataWriter CreateData();

    /// <summary>Opens data item <paramref name="id"/> for reads; a <see cref="FileNotFoundException"/> when it is gone.</summary>
    public abstract StoredBytes OpenData(Guid id);

    /// <summary>Deletes data item <paramref name="id"/>, if it is there. Failures are left to start-up's sweep: an orphan is invisible.</summary>
    public abstract void DeleteData(Guid id);

    /// <summary>Deletes every data item not in <paramref name="live"/> (start-up only); returns how many went.</summary>
    protected abstract int DeleteDataExcept(HashSet<Guid> live);

    /// <summary>The whole of data item <paramref name="id"/> (part tables: small), or null when it is gone.</summary>
    protected abstract ValueTask<byte[]?> ReadDataAsync(Guid id);

    /// <summary>The bucket's tag set in its stored form; false when it has none.</summary>
    public bool TryGetTags([NotNullWhen(true)] out byte[]? tags) => Objects.TryGet(TagsKey, out tags);

    /// <summary>Replaces the bucket's tag set (stored form; empty removes it), durably.</summary>
    public async ValueTask SetTagsAsync(byte[] tags)
        => await (tags.Length == 0 ? Objects.DeleteAsync(TagsKey) : Objects.PutAsync(TagsKey, tags));

    /// <summary>
    /// The bucket's default encryption, null when it has none: read when the bucket is opened and
    /// kept up to date by <see cref="SetEncryptionAsync"/>, so asking costs a field read.
    /// </summary>
    public BucketEncryptionConfig? Encryption => _encryption;

    /// <summary>Replaces the bucket's default encryption (null removes it), durably.</summary>
    public async ValueTask SetEncryptionAsync(BucketEncryptionConfig? config)
    {
        await _encryptionWrite.WaitAsync();
        try
        {
            await (config is null ? Objects.DeleteAsync(EncryptionKey) : Objects.PutAsync(EncryptionKey, config.Encode()));
            _encryption = config;
        }
        finally
        {
            _encryptionWrite.Release();
        }
    }

    /// <summary>
    /// Replaces the tags of the object at <paramref name="key"/> (stored form, empty for none) and
    /// nothing else: data, metadata, ETag and LastModified stay. The write applies only over the very
    /// record it was made from, so an object written meanwhile is never undone: the update starts
    /// again over it, and tags the object that is there now.
    /// </summary>
    public async ValueTask<TagUpdate> SetObjectTagsAsync(byte[] key, byte[] tags)
    {
        if (!Objects.TryGet(key, out byte[]? current))
        {
            return TagUpdate.NoSuchObject;
        }

        for (int attempt = 0; attempt < MaxTagAttempts; attempt++)
        {
            if (!ObjectRecord.TryRead(current, out ObjectRecord record))
            {
                return TagUpdate.NoSuchObject;
            }

            RecordWrite result = await ReplaceObjectRecordAsync(key, current, record.With(RecordField.Tags, tags));
            if (result.Applied)
            {
                return TagUpdate.Applied;
            }

            if (result.Previous is null)
            {
                return TagUpdate.NoSuchObject;
            }

            current = result.Previous;
        }

        return TagUpdate.Contended;
    }

    /// <summary>
    /// The stored record of the object at <paramref name="key"/> (read it with <see cref="ObjectRecord.TryRead"/>),
    /// or empty when there is none. Records are never modified once stored, so the memory stays valid
    /// however the object changes later.
    /// </summary>
    public ValueTask<ReadOnlyMemory<byte>> FindObjectAsync(ReadOnlyMemory<byte> key)
        => new(Objects.TryGetReadOnly(key.Span, out ReadOnlyMemory<byte> value) ? value : default);

    /// <summary>
    /// Replaces the record of the object at <paramref name="key"/> with <paramref name="replacement"/>,
    /// which names the same data (a re-wrapped key, new tags), only if the record is still
    /// <paramref name="expected"/> byte for byte. Not applied when the object was written or deleted
    /// meanwhile; the result then carries the record there now (null: none).
    /// </summary>
    public ValueTask<RecordWrite> ReplaceObjectRecordAsync(ReadOnlyMemory<byte> key, byte[] expected, byte[] replacement)
        => Objects.PutAsync(key, replacement, (current, exists) => exists && current.SequenceEqual(expected));

    /// <summary>Deletes the object at <paramref name="key"/> and then its data, if it is there; deleting a missing key does nothing.</summary>
    public async ValueTask DeleteObjectAsync(ReadOnlyMemory<byte> key)
    {
        RecordWrite result = await Objects.DeleteAsync(key);
        await DeleteDataOfAsync(result.Previous);
    }

    /// <summary>
    /// Where the bytes of the object whose record is <paramref name="record"/> are; null when its part
    /// table is gone (the object was replaced meanwhile) or damaged.
    /// </summary>
    public async ValueTask<StoredContent?> OpenContentAsync(ReadOnlyMemory<byte> record)
    {
        ObjectRecord.TryRead(record.Span, out ObjectRecord read);
        var single = new PartEntry(0, read.DataId, read.Size, read.StoredSize);
        if (!read.Has(RecordFlags.Multipart))
        {
            return new StoredContent(this, [single], null, ObjectRecord.FieldMemory(record, RecordField.InlineData));
        }

        PartTable? table = await ReadPartTableAsync(single.DataId);
        return table is null || table.Size != single.Size ? null : new StoredContent(this, table.Parts, table, default);
    }

    /// <summary>The part table in data item <paramref name="id"/>; null when it is missing or damaged.</summary>
    private async ValueTask<PartTable?> ReadPartTableAsync(Guid id)
        => await ReadDataAsync(id) is { } bytes && PartTable.TryParse(bytes, out PartTable? table) ? table : null;

    /// <summary>
    /// How many objects the bucket holds and their size as clients see it: a scan of the whole
    /// table, for the metrics' periodic usage figures, never on a request's path.
    /// </summary>
    public (long Objects, long Bytes) MeasureUsage()
    {
        long objects = 0;
        long bytes = 0;
        using IRecordCursor cursor = Objects.Seek([]);
        while (cursor.MoveNext() && IsObjectKey(cursor.Key))
        {
            if (ObjectRecord.TryRead(cursor.Value, out ObjectRecord record))
            {
                objects++;
                bytes += record.Size;
            }
        }

        return (objects, bytes);
    }

    internal void MarkDeleted() => _deleted = true;

    /// <summary>Deletes the data an object record pointed to (after the record was replaced or removed): its data item, or its parts and part table.</summary>
    public async ValueTask DeleteDataOfAsync(byte[]? record)
    {
        if (record is null || !ObjectRecord.TryRead(record, out ObjectRecord old) || old.DataId == Guid.Empty)
        {
            return;
        }

        Guid dataId = old.DataId;
        if (old.Has(RecordFlags.Multipart) && await ReadPartTableAsync(dataId) is { } table)
        {
            foreach (PartEntry part in table.Parts)
            {
                DeleteData(part.DataId);
            }
        }

        DeleteData(dataId);
    }

    /// <summary>
    /// Start-up repair, before any request: finishes or drops interrupted multipart bookkeeping and
    /// forgets expired completed uploads, then deletes data items nothing points to (left by a crash
    /// between a data item's commit and its record's, or before replaced data was removed). Returns
    /// the data items removed.
    /// </summary>
    internal async ValueTask<int> RecoverAsync()
    {
        await Uploads.RecoverAsync(this);
        await CompletedUploads.SweepAsync(Uploads);
        var live = new HashSet<Guid>();
        Uploads.AddLiveData(live);
        foreach (Guid tableId in AddLiveObjects(live))
        {
            if (await ReadPartTableAsync(tableId) is { } table)
            {
                foreach (PartEntry part in table.Parts)
                {
                    live.Add(part.DataId);
                }
            }
        }

        return DeleteDataExcept(live);
    }

    /// <summary>Adds every object's data id to <paramref name="live"/>; returns the part tables among them.</summary>
    private List<Guid> AddLiveObjects(HashSet<Guid> live)
    {
        var tables = new List<Guid>();
        using IRecordCursor cursor = Objects.Seek([]);
        while (cursor.MoveNext() && IsObjectKey(cursor.Key))
        {
            if (ObjectRecord.TryRead(cursor.Value, out ObjectRecord record) && record.DataId != Guid.Empty)
            {
                live.Add(record.DataId);
                if (record.Has(RecordFlags.Multipart))
                {
                    tables.Add(record.DataId);
                }
            }
        }

        return tables;
    }

    public abstract ValueTask DisposeAsync();
}

/// <summary>What <see cref="Bucket.SetObjectTagsAsync"/> did.</summary>
public enum TagUpdate : byte
{
    Applied,

    /// <summary>There is no such object, or it was deleted before the tags were written.</summary>
    NoSuchObject,

    /// <summary>The object was written again before every attempt could apply: nothing was changed.</summary>
    Contended,
}
