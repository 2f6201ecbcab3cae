using FastS3.Storage.Index;

namespace FastS3.Storage;

/// <summary>
/// One bucket on disk: its metadata index (key → <see cref="ObjectRecord"/>), its multipart uploads
/// in progress and lately completed, and its data files, named by random ids under 256 fan-out
/// directories so no directory grows huge:
/// <code>
///   buckets/NAME/created
///   buckets/NAME/index/     the ordered index of objects (and of completed uploads, see <see cref="CompletedUploads"/>)
///   buckets/NAME/uploads/   the ordered index of multipart uploads and their parts
///   buckets/NAME/data/ab/ab12…ef   object bytes, parts, part tables
/// </code>
/// </summary>
public sealed class Bucket : IAsyncDisposable
{
    private volatile bool _deleted;

    private Bucket(string name, string directory, DateTimeOffset created, OrderedIndex index, MultipartUploads uploads, TimeSpan completedUploadLifetime)
    {
        Name = name;
        Directory = directory;
        Created = created;
        Index = index;
        Uploads = uploads;
        CompletedUploads = new CompletedUploads(index, completedUploadLifetime);
        DataDirectory = Path.Combine(directory, "data");
    }

    public string Name { get; }

    public string Directory { get; }

    public string DataDirectory { get; }

    public DateTimeOffset Created { get; }

    public OrderedIndex Index { get; }

    public MultipartUploads Uploads { get; }

    public CompletedUploads CompletedUploads { get; }

    /// <summary>Set once DeleteBucket has removed it; writes racing with the delete then fail.</summary>
    public bool IsDeleted => _deleted;

    public bool IsEmpty
    {
        get
        {
            using IndexIterator iterator = Index.Seek([]);
            return !iterator.MoveNext() || !CompletedUploads.IsObjectKey(iterator.Key);
        }
    }

    internal static Bucket Open(string name, string directory, DateTimeOffset created, StoreOptions options)
        => new(name, directory, created, OrderedIndex.Open(Path.Combine(directory, "index"), options.Index), new MultipartUploads(Path.Combine(directory, "uploads"), options.Index), options.CompletedUploadLifetime);

    /// <summary>Where the data file with <paramref name="id"/> lives.</summary>
    public string DataPath(Guid id)
    {
        Span<char> name = stackalloc char[32];
        id.TryFormat(name, out _, "N");
        return Path.Combine(DataDirectory, new string(name[..2]), new string(name));
    }

    /// <summary>Lays out a new bucket directory: the data fan-out directories, made durable up front.</summary>
    /// <summary>
    /// How many objects the bucket holds and their size as clients see it: a scan of the whole
    /// index, for the metrics' periodic usage figures, never on a request's path.
    /// </summary>
    public (long Objects, long Bytes) MeasureUsage()
    {
        long objects = 0;
        long bytes = 0;
        using IndexIterator iterator = Index.Seek([]);
        while (iterator.MoveNext() && CompletedUploads.IsObjectKey(iterator.Key))
        {
            if (ObjectRecord.TryRead(iterator.Value, out ObjectRecord record))
            {
                objects++;
                bytes += record.Size;
            }
        }

        return (objects, bytes);
    }

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
        using IndexIterator iterator = Index.Seek([]);
        while (iterator.MoveNext() && CompletedUploads.IsObjectKey(iterator.Key))
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
        await Index.DisposeAsync();
        await Uploads.DisposeAsync();
    }
}
