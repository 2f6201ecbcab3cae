using FastS3.Storage.Index;

namespace FastS3.Storage;

/// <summary>
/// One bucket on disk: its metadata index (key → <see cref="ObjectRecord"/>), its multipart uploads
/// in progress and lately completed, and its data files, named by random ids under 256 fan-out
/// directories so no directory grows huge:
/// <code>
///   buckets/NAME/created
///   buckets/NAME/index/     the ordered index of objects, and of the bucket's own records (see <see cref="IsObjectKey"/>)
///   buckets/NAME/uploads/   the ordered index of multipart uploads and their parts
///   buckets/NAME/data/ab/ab12…ef   object bytes, parts, part tables
/// </code>
/// </summary>
public sealed class Bucket : IAsyncDisposable
{
    /// <summary>The bucket's tag set (see <see cref="StoredTags"/>), absent when it has none.</summary>
    private static readonly byte[] TagsKey = [0xFE];

    /// <summary>How often a tag update starts again over an object written meanwhile before it gives up.</summary>
    private const int MaxTagAttempts = 16;

    private volatile bool _deleted;

    private readonly OrderedIndex _objects;
    private readonly OrderedIndex _uploads;

    private Bucket(string name, string directory, DateTimeOffset created, OrderedIndex objects, OrderedIndex uploads, TimeSpan completedUploadLifetime)
    {
        Name = name;
        Directory = directory;
        Created = created;
        _objects = objects;
        _uploads = uploads;
        Uploads = new MultipartUploads(uploads);
        CompletedUploads = new CompletedUploads(objects, completedUploadLifetime);
        DataDirectory = Path.Combine(directory, "data");
    }

    public string Name { get; }

    public string Directory { get; }

    public string DataDirectory { get; }

    public DateTimeOffset Created { get; }

    /// <summary>The object records: key → <see cref="ObjectRecord"/>, and the bucket's own records (see <see cref="IsObjectKey"/>).</summary>
    public IRecordTable Objects => _objects;

    public MultipartUploads Uploads { get; }

    public CompletedUploads CompletedUploads { get; }

    /// <summary>Set once DeleteBucket has removed it; writes racing with the delete then fail.</summary>
    public bool IsDeleted => _deleted;

    public bool IsEmpty
    {
        get
        {
            using IRecordCursor iterator = Objects.Seek([]);
            return !iterator.MoveNext() || !IsObjectKey(iterator.Key);
        }
    }

    /// <summary>
    /// False for the keys of the bucket's own records in its object index, which listings and checks
    /// pass over. They begin with a byte UTF-8 never has, so no object key collides with them and
    /// they sort after every object key: 0xFE the bucket's tag set, 0xFF… completed uploads (see
    /// <see cref="CompletedUploads"/>).
    /// </summary>
    public static bool IsObjectKey(ReadOnlySpan<byte> indexKey) => indexKey.IsEmpty || indexKey[0] < TagsKey[0];

    /// <summary>The bucket's tag set in its stored form; false when it has none.</summary>
    public bool TryGetTags([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? tags) => Objects.TryGet(TagsKey, out tags);

    /// <summary>Replaces the bucket's tag set (stored form; empty removes it), durably.</summary>
    public async ValueTask SetTagsAsync(byte[] tags)
        => await (tags.Length == 0 ? Objects.DeleteAsync(TagsKey) : Objects.PutAsync(TagsKey, tags));

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

            byte[] expected = current;
            RecordWrite result = await Objects.PutAsync(key, record.With(RecordField.Tags, tags), (value, exists) => exists && value.SequenceEqual(expected));
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

    internal static Bucket Open(string name, string directory, DateTimeOffset created, StoreOptions options)
        => new(name, directory, created, OrderedIndex.Open(Path.Combine(directory, "index"), options.Index), OrderedIndex.Open(Path.Combine(directory, "uploads"), options.Index), options.CompletedUploadLifetime);

    /// <summary>Where the data file with <paramref name="id"/> lives.</summary>
    /// <summary>Opens the data file <paramref name="id"/> for reads; a <see cref="FileNotFoundException"/> when it is gone.</summary>
    public StoredBytes OpenData(Guid id)
        => new(File.OpenHandle(DataPath(id), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan));

    /// <summary>The part table in data file <paramref name="id"/>; null when it is missing or damaged.</summary>
    public ValueTask<PartTable?> ReadPartTableAsync(Guid id) => PartTable.ReadAsync(DataPath(id));

    public string DataPath(Guid id)
    {
        Span<char> name = stackalloc char[32];
        id.TryFormat(name, out _, "N");
        return Path.Combine(DataDirectory, new string(name[..2]), new string(name));
    }

    /// <summary>
    /// How many objects the bucket holds and their size as clients see it: a scan of the whole
    /// index, for the metrics' periodic usage figures, never on a request's path.
    /// </summary>
    public (long Objects, long Bytes) MeasureUsage()
    {
        long objects = 0;
        long bytes = 0;
        using IRecordCursor iterator = Objects.Seek([]);
        while (iterator.MoveNext() && IsObjectKey(iterator.Key))
        {
            if (ObjectRecord.TryRead(iterator.Value, out ObjectRecord record))
            {
                objects++;
                bytes += record.Size;
            }
        }

        return (objects, bytes);
    }

    /// <summary>Lays out a new bucket directory: the data fan-out directories, made durable up front.</summary>
    internal static void CreateLayout(string directory)
    {
        string data = Path.Combine(directory, "data");
        for (int i = 0; i < 256; i++)
        {
            System.IO.Directory.CreateDirectory(Path.Combine(data, i.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        NativeFile.SyncDirectory(data);
    }

    internal void MarkDeleted() => _deleted = true;

    /// <summary>Deletes the data an object record pointed to (after the record was replaced or removed): its file, or its parts and part table.</summary>
    public async ValueTask DeleteDataOfAsync(byte[]? record)
    {
        if (record is null || !ObjectRecord.TryRead(record, out ObjectRecord old) || old.DataId == Guid.Empty)
        {
            return;
        }

        Guid dataId = old.DataId;
        if (old.Has(RecordFlags.Multipart) && await PartTable.ReadAsync(DataPath(dataId)) is { } table)
        {
            foreach (PartEntry part in table.Parts)
            {
                DeleteQuietly(DataPath(part.DataId));
            }
        }

        DeleteQuietly(DataPath(dataId));
    }

    public static void DeleteQuietly(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // An orphaned data file is invisible; start-up cleanup is the backstop.
        }
    }

    /// <summary>
    /// Start-up repair, before any request: finishes or drops interrupted multipart bookkeeping and
    /// forgets expired completed uploads, then deletes data files nothing points to (left by a crash
    /// between a file's rename and its index commit, or before replaced data was removed). Returns
    /// the files removed.
    /// </summary>
    internal async ValueTask<int> RecoverAsync()
    {
        await Uploads.RecoverAsync(this);
        await CompletedUploads.SweepAsync(Uploads);
        var live = new HashSet<Guid>();
        Uploads.AddLiveData(live);
        foreach (Guid tableId in AddLiveObjects(live))
        {
            if (PartTable.TryParse(ReadOrEmpty(DataPath(tableId)), out PartTable? table))
            {
                foreach (PartEntry part in table.Parts)
                {
                    live.Add(part.DataId);
                }
            }
        }

        int removed = 0;
        var swept = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in System.IO.Directory.EnumerateFiles(DataDirectory, "*", SearchOption.AllDirectories))
        {
            if (!Guid.TryParseExact(Path.GetFileName(file), "N", out Guid id) || !live.Contains(id))
            {
                File.Delete(file);
                swept.Add(Path.GetDirectoryName(file)!);
                removed++;
            }
        }

        // Deletes elsewhere are left for the kernel to write back; these are synced, so that a crash
        // soon after start-up does not bring the orphans back for every start to sweep again.
        foreach (string directory in swept)
        {
            NativeFile.SyncDirectory(directory);
        }

        return removed;
    }

    /// <summary>Adds every object's data id to <paramref name="live"/>; returns the part tables among them.</summary>
    private List<Guid> AddLiveObjects(HashSet<Guid> live)
    {
        var tables = new List<Guid>();
        using IRecordCursor iterator = Objects.Seek([]);
        while (iterator.MoveNext() && IsObjectKey(iterator.Key))
        {
            if (ObjectRecord.TryRead(iterator.Value, out ObjectRecord record) && record.DataId != Guid.Empty)
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

    private static byte[] ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllBytes(path) : [];

    public async ValueTask DisposeAsync()
    {
        await _objects.DisposeAsync();
        await _uploads.DisposeAsync();
    }
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
