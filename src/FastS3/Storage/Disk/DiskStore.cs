using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using FastS3.Storage.Disk.Native;

namespace FastS3.Storage.Disk;

/// <summary>
/// The embedded filesystem store under DATA_DIR:
/// <code>
///   .fasts3/format        layout version
///   .fasts3/tmp/          files being written; whatever is left here at start is from a crash and is deleted
///   .fasts3/state/NAME    server state items (the KMS key ring, sealed), each replaced by a rename
///   buckets/NAME/created  bucket creation time
///   buckets/NAME/...      the bucket's indexes and data files (see <see cref="DiskBucket"/>)
/// </code>
/// A bucket name becomes a directory name only through <see cref="BucketDirectory"/>, which takes
/// nothing but a valid <see cref="BucketName"/> and checks the result is a direct child of buckets/;
/// the S3 layer validates names too, before anything is looked up. Object keys never become paths.
/// </summary>
public sealed class DiskStore : Store
{
    private const string FormatLine = "fasts3 store 1";

    private readonly ConcurrentDictionary<string, DiskBucket> _buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DiskBucket>.AlternateLookup<ReadOnlySpan<char>> _bucketsBySpan;
    private readonly Lock _bucketChanges = new();
    private readonly Lock _stateChanges = new();

    private DiskStore(string root, DiskStoreOptions options)
        : base(options)
    {
        Root = root;
        DiskOptions = options;
        BucketsDirectory = Path.Combine(root, "buckets");
        TempDirectory = Path.Combine(root, ".fasts3", "tmp");
        StateDirectory = Path.Combine(root, ".fasts3", "state");
        _bucketsBySpan = _buckets.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Root { get; }

    public DiskStoreOptions DiskOptions { get; }

    public override string Location => Root;

    public string BucketsDirectory { get; }

    /// <summary>Where new files are written before they are renamed into place (same filesystem).</summary>
    public string TempDirectory { get; }

    public AlignedBlockPool Blocks { get; } = new();

    private string StateDirectory { get; }

    /// <summary>
    /// Opens (creating if needed) the store at <paramref name="root"/> and clears crash leftovers,
    /// telling <paramref name="warn"/> what it removed.
    /// </summary>
    public static DiskStore Open(string root, DiskStoreOptions options, Action<string> warn)
    {
        var store = new DiskStore(Path.GetFullPath(root), options);
        string formatFile = Path.Combine(store.Root, ".fasts3", "format");
        Directory.CreateDirectory(Path.GetDirectoryName(formatFile)!);
        bool formatted = File.Exists(formatFile);
        if (formatted)
        {
            string format = File.ReadAllText(formatFile).Trim();
            if (format != FormatLine)
            {
                throw new InvalidDataException($"{store.Root} holds '{format}', this server reads '{FormatLine}'.");
            }
        }

        Directory.CreateDirectory(store.BucketsDirectory);
        if (Directory.Exists(store.TempDirectory))
        {
            int leftovers = Directory.EnumerateFileSystemEntries(store.TempDirectory).Count();
            if (leftovers > 0)
            {
                warn($"store: removing {leftovers} unfinished write(s) left by an earlier run");
            }

            Directory.Delete(store.TempDirectory, recursive: true);
        }

        Directory.CreateDirectory(store.TempDirectory);
        Directory.CreateDirectory(store.StateDirectory);
        if (!formatted)
        {
            // Renamed into place once durable: a crash leaves the format whole, or none (and an
            // empty store, formatted at the next start), never an empty format file.
            string written = store.NewTempPath();
            WriteDurably(written, FormatLine + "\n");
            File.Move(written, formatFile);
        }

        // The directories made above, and the format, are new names in .fasts3/ and in DATA_DIR
        // itself: durable only once those are synced (a previous run may have died before it did).
        NativeFile.SyncDirectory(Path.GetDirectoryName(formatFile)!);
        NativeFile.SyncDirectory(store.Root);

        foreach ((string name, _) in store.ListBuckets())
        {
            Bucket bucket = store.FindBucket(Encoding.ASCII.GetBytes(name))!;
            // Start-up only: nothing else runs yet, so waiting here blocks no request.
            if (bucket.RecoverAsync().AsTask().GetAwaiter().GetResult() is > 0 and int orphans)
            {
                warn($"store: removed {orphans} orphaned data file(s) from bucket {name}");
            }
        }

        return store;
    }

    /// <summary>The size of DATA_DIR's file system and the bytes left there for this process (statvfs).</summary>
    public override (long Total, long Available) Space()
    {
        var drive = new DriveInfo(Root);
        return (drive.TotalSize, drive.AvailableFreeSpace);
    }

    /// <summary>A unique path in the temp directory.</summary>
    public string NewTempPath() => Path.Combine(TempDirectory, Guid.NewGuid().ToString("N"));

    /// <summary>All buckets in name order.</summary>
    public override IReadOnlyList<(string Name, DateTimeOffset Created)> ListBuckets()
    {
        var buckets = new List<(string, DateTimeOffset)>();
        foreach (string directory in Directory.EnumerateDirectories(BucketsDirectory))
        {
            // Whatever else someone put here (another name, a symbolic link) is not a bucket.
            if (BucketName.IsValid(Path.GetFileName(directory)) && IsPlainDirectory(directory) && TryReadCreated(directory, out DateTimeOffset created))
            {
                buckets.Add((Path.GetFileName(directory), created));
            }
        }

        buckets.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return buckets;
    }

    public override Bucket? FindBucket(ReadOnlySpan<byte> name)
    {
        if (!BucketName.IsValid(name))
        {
            return null;
        }

        Span<char> chars = stackalloc char[name.Length];
        if (Encoding.ASCII.GetChars(name, chars) != name.Length)
        {
            return null;
        }

        return _bucketsBySpan.TryGetValue(chars, out DiskBucket? bucket) ? bucket : OpenBucket(new string(chars));
    }

    // Apart from FindBucket so its closure is allocated only when a bucket is first opened.
    private DiskBucket? OpenBucket(string name)
    {
        string directory = BucketDirectory(name);
        if (!IsPlainDirectory(directory) || !TryReadCreated(directory, out DateTimeOffset created))
        {
            return null;
        }

        lock (_bucketChanges)
        {
            return _buckets.GetOrAdd(name, _ => DiskBucket.Open(this, name, directory, created));
        }
    }

    /// <summary>Its directory is assembled in the temp directory and renamed into place.</summary>
    public override bool TryCreateBucket(string name)
    {
        lock (_bucketChanges)
        {
            string final = BucketDirectory(name);
            if (Directory.Exists(final))
            {
                return false;
            }

            string staging = NewTempPath();
            try
            {
                Directory.CreateDirectory(staging);
                DiskBucket.CreateLayout(staging);
                WriteDurably(Path.Combine(staging, "created"), DateTimeOffset.UtcNow.UtcTicks.ToString(CultureInfo.InvariantCulture));
                NativeFile.SyncDirectory(staging);
            }
            catch (IOException)
            {
                // A full disk, most likely: leave nothing half-made behind.
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }

                throw;
            }

            Directory.Move(staging, final);
            NativeFile.SyncDirectory(BucketsDirectory);
            return true;
        }
    }

    /// <summary>Renamed away first, so it disappears at once, then deleted.</summary>
    public override async ValueTask<bool> TryDeleteBucketAsync(Bucket bucket)
    {
        var disk = (DiskBucket)bucket;
        string graveyard = NewTempPath();
        lock (_bucketChanges)
        {
            if (!bucket.IsEmpty)
            {
                return false;
            }

            _buckets.TryRemove(bucket.Name, out _);
            bucket.MarkDeleted();
            Directory.Move(disk.Directory, graveyard);
            NativeFile.SyncDirectory(BucketsDirectory);
        }

        await bucket.DisposeAsync();
        Directory.Delete(graveyard, recursive: true);
        return true;
    }

    public override byte[]? ReadState(string name)
    {
        string path = Path.Combine(StateDirectory, StateName.Check(name));
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    /// <summary>Compared and replaced under a lock (one process owns DATA_DIR); the new value is written whole, synced, then renamed over the old.</summary>
    public override bool TryReplaceState(string name, byte[]? expected, byte[] value)
    {
        string path = Path.Combine(StateDirectory, StateName.Check(name));
        lock (_stateChanges)
        {
            byte[]? current = File.Exists(path) ? File.ReadAllBytes(path) : null;
            if (expected is null ? current is not null : current is null || !current.AsSpan().SequenceEqual(expected))
            {
                return false;
            }

            string written = NewTempPath();
            WriteDurably(written, value);
            File.Move(written, path, overwrite: true);
            NativeFile.SyncDirectory(StateDirectory);
            return true;
        }
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (DiskBucket bucket in _buckets.Values)
        {
            await bucket.DisposeAsync();
        }

        _buckets.Clear();
        Blocks.Dispose();
    }

    /// <summary>
    /// The directory of the bucket called <paramref name="name"/>: a direct child of buckets/, or an
    /// exception. The S3 layer never passes an invalid name; this is the last wall if it ever did.
    /// </summary>
    private string BucketDirectory(string name)
    {
        string directory = Path.GetFullPath(Path.Combine(BucketsDirectory, name));
        if (!BucketName.IsValid(name) || !string.Equals(Path.GetDirectoryName(directory), BucketsDirectory, StringComparison.Ordinal))
        {
            // The name stays out of the message: it could be anything, and messages reach the log.
            throw new ArgumentException("not a valid bucket name", nameof(name));
        }

        return directory;
    }

    /// <summary>Writes a new small file and syncs it (its name is durable once its directory is synced).</summary>
    private static void WriteDurably(string path, string text) => WriteDurably(path, Encoding.UTF8.GetBytes(text));

    private static void WriteDurably(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>A directory that is not a symbolic link, which could lead anywhere.</summary>
    private static bool IsPlainDirectory(string path) => Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null;

    private static bool TryReadCreated(string directory, out DateTimeOffset created)
    {
        created = default;
        string path = Path.Combine(directory, "created");
        if (!File.Exists(path) || !long.TryParse(File.ReadAllText(path), NumberStyles.None, CultureInfo.InvariantCulture, out long ticks))
        {
            return false;
        }

        created = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }
}

/// <summary>The embedded store's own tuning, beside what every store has.</summary>
public sealed class DiskStoreOptions : StoreOptions
{
    public WriteMode WriteMode { get; init; } = WriteMode.Buffered;

    /// <summary>How each bucket's indexes (objects, multipart uploads) are tuned.</summary>
    public Index.OrderedIndexOptions Index { get; init; } = new();
}
