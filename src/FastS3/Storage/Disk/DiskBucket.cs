using FastS3.Storage.Disk.Index;
using FastS3.Storage.Disk.Native;

namespace FastS3.Storage.Disk;

/// <summary>
/// One bucket on disk: two ordered indexes (its object records, its multipart uploads) and its data
/// files, named by their ids under 256 fan-out directories so no directory grows huge:
/// <code>
///   buckets/NAME/created
///   buckets/NAME/index/     the object records, and the bucket's own records (see <see cref="Bucket.IsObjectKey"/>)
///   buckets/NAME/uploads/   the multipart uploads and their parts
///   buckets/NAME/data/ab/ab12…ef   object bytes, parts, part tables
/// </code>
/// </summary>
internal sealed class DiskBucket : Bucket
{
    private readonly DiskStore _store;
    private readonly OrderedIndex _objects;
    private readonly OrderedIndex _uploads;
    private readonly Func<Guid, string> _dataPath;

    private DiskBucket(DiskStore store, string name, string directory, DateTimeOffset created, OrderedIndex objects, OrderedIndex uploads)
        : base(name, created, objects, uploads, store.Options)
    {
        _store = store;
        _objects = objects;
        _uploads = uploads;
        _dataPath = DataPath;
        Directory = directory;
        DataDirectory = Path.Combine(directory, "data");
    }

    public string Directory { get; }

    public string DataDirectory { get; }

    internal static DiskBucket Open(DiskStore store, string name, string directory, DateTimeOffset created)
        => new(store, name, directory, created, OrderedIndex.Open(Path.Combine(directory, "index"), store.DiskOptions.Index), OrderedIndex.Open(Path.Combine(directory, "uploads"), store.DiskOptions.Index));

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

    /// <summary>A data file streamed through aligned blocks into the store's temp directory, renamed into this bucket at commit.</summary>
    public override IDataWriter CreateData() => DataFileWriter.Create(_store.NewTempPath(), _store.DiskOptions.WriteMode, _store.Blocks, _dataPath);

    public override StoredBytes OpenData(Guid id)
        => new(new DataFile(File.OpenHandle(DataPath(id), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan)));

    public override void DeleteData(Guid id)
    {
        try
        {
            File.Delete(DataPath(id));
        }
        catch (IOException)
        {
            // An orphaned data file is invisible; start-up cleanup is the backstop.
        }
    }

    protected override async ValueTask<byte[]?> ReadDataAsync(Guid id)
    {
        try
        {
            return await File.ReadAllBytesAsync(DataPath(id));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    protected override int DeleteDataExcept(HashSet<Guid> live)
    {
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

    /// <summary>Where the data file with <paramref name="id"/> lives.</summary>
    public string DataPath(Guid id)
    {
        Span<char> name = stackalloc char[32];
        id.TryFormat(name, out _, "N");
        return Path.Combine(DataDirectory, new string(name[..2]), new string(name));
    }

    public override async ValueTask DisposeAsync()
    {
        await _objects.DisposeAsync();
        await _uploads.DisposeAsync();
    }
}
