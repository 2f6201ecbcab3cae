using FastS3.Storage.Index;

namespace FastS3.Storage;

/// <summary>
/// One bucket on disk: its metadata index (key → <see cref="ObjectRecord"/>) and its data files,
/// named by random ids under 256 fan-out directories so no directory grows huge:
/// <code>
///   buckets/NAME/created
///   buckets/NAME/index/     the ordered index
///   buckets/NAME/data/ab/ab12…ef   object bytes
/// </code>
/// </summary>
public sealed class Bucket : IAsyncDisposable
{
    private volatile bool _deleted;

    private Bucket(string name, string directory, DateTimeOffset created, OrderedIndex index)
    {
        Name = name;
        Directory = directory;
        Created = created;
        Index = index;
        DataDirectory = Path.Combine(directory, "data");
    }

    public string Name { get; }

    public string Directory { get; }

    public string DataDirectory { get; }

    public DateTimeOffset Created { get; }

    public OrderedIndex Index { get; }

    /// <summary>Set once DeleteBucket has removed it; writes racing with the delete then fail.</summary>
    public bool IsDeleted => _deleted;

    public bool IsEmpty
    {
        get
        {
            using IndexIterator iterator = Index.Seek([]);
            return !iterator.MoveNext();
        }
    }

    internal static Bucket Open(Store store, string name, string directory, DateTimeOffset created)
        => new(name, directory, created, OrderedIndex.Open(Path.Combine(directory, "index")));

    /// <summary>Where the data file with <paramref name="id"/> lives.</summary>
    public string DataPath(Guid id)
    {
        Span<char> name = stackalloc char[32];
        id.TryFormat(name, out _, "N");
        return Path.Combine(DataDirectory, new string(name[..2]), new string(name));
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

    /// <summary>
    /// Deletes data files no record points to: left by a crash between a file's rename and its
    /// index commit, or before an overwritten object's old file was removed. Runs at start-up,
    /// before any request, so no upload can be in between.
    /// </summary>
    internal int RemoveOrphanedData()
    {
        var live = new HashSet<Guid>();
        using (IndexIterator iterator = Index.Seek([]))
        {
            while (iterator.MoveNext())
            {
                if (ObjectRecord.TryRead(iterator.Value, out ObjectRecord record) && record.DataId != Guid.Empty)
                {
                    live.Add(record.DataId);
                }
            }
        }

        int removed = 0;
        foreach (string file in System.IO.Directory.EnumerateFiles(DataDirectory, "*", SearchOption.AllDirectories))
        {
            if (!Guid.TryParseExact(Path.GetFileName(file), "N", out Guid id) || !live.Contains(id))
            {
                File.Delete(file);
                removed++;
            }
        }

        return removed;
    }

    public ValueTask DisposeAsync() => Index.DisposeAsync();
}
