using FastS3.Tests.Storage.InMemory;

namespace FastS3.Tests.Hosting;

/// <summary>
/// What a server's store holds beneath the S3 API, for the tests that check a refused, failed or
/// abandoned write left nothing behind, on either store: on the disk store the files themselves
/// (a bucket's data files, and the temp directory every write starts in), on the in-memory store
/// what <see cref="MemoryStore"/> holds of the same.
/// </summary>
public abstract class StoredData
{
    /// <summary>The disk store in <paramref name="dataDir"/>, whichever server runs on it.</summary>
    public static StoredData OnDisk(string dataDir) => new Disk(dataDir);

    internal static StoredData InMemory(MemoryStore store) => new Memory(store);

    /// <summary>
    /// Each data item of <paramref name="bucket"/> (object bytes, parts, part tables), named so that
    /// one rewritten in place would differ.
    /// </summary>
    public abstract IReadOnlyCollection<string> DataItems(string bucket);

    public int DataItemCount(string bucket) => DataItems(bucket).Count;

    /// <summary>The bytes written so far of each write started and neither committed nor discarded.</summary>
    public abstract IReadOnlyList<long> UnfinishedWrites();

    private sealed class Disk(string dataDir) : StoredData
    {
        public override IReadOnlyCollection<string> DataItems(string bucket)
            => [.. Directory.GetFiles(Path.Combine(dataDir, "buckets", bucket, "data"), "*", SearchOption.AllDirectories).Select(file => $"{file} {File.GetLastWriteTimeUtc(file):O}")];

        // Anything in the temp directory is left over, a directory too.
        public override IReadOnlyList<long> UnfinishedWrites()
            => [.. new DirectoryInfo(Path.Combine(dataDir, ".fasts3", "tmp")).EnumerateFileSystemInfos().Select(entry => entry is FileInfo file ? file.Length : 0)];
    }

    private sealed class Memory(MemoryStore store) : StoredData
    {
        public override IReadOnlyCollection<string> DataItems(string bucket) => store.Bucket(bucket).DataIds;

        public override IReadOnlyList<long> UnfinishedWrites() => store.UnfinishedWrites;
    }
}
