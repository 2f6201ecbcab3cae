using FastS3.Tests.Storage.InMemory;

namespace FastS3.Tests.Hosting;

/// <summary>
/// What a server's store holds beneath the S3 API, for the tests that check a refused, failed or
/// abandoned write left nothing behind, or damage stored bytes, on either store: on the disk store
/// the files themselves (a bucket's data files, and the temp directory every write starts in), on
/// the in-memory store what <see cref="MemoryStore"/> holds of the same.
/// </summary>
public abstract class StoredData
{
    /// <summary>The disk store in <paramref name="dataDir"/>, whichever server runs on it.</summary>
    public static StoredData OnDisk(string dataDir) => new Disk(dataDir);

    internal static StoredData InMemory(MemoryStore store) => new Memory(store);

    /// <summary>Each data item of <paramref name="bucket"/> (object bytes, parts, part tables), in name order.</summary>
    public abstract IReadOnlyList<DataItem> DataItems(string bucket);

    public int DataItemCount(string bucket) => DataItems(bucket).Count;

    public abstract byte[] Read(string bucket, DataItem item);

    /// <summary>Replaces the item's bytes in place, as damage would (for tests of what reads make of it).</summary>
    public abstract void Write(string bucket, DataItem item, byte[] bytes);

    /// <summary>Removes the item from under the store, as a lost file would.</summary>
    public abstract void Delete(string bucket, DataItem item);

    /// <summary>The bytes written so far of each write started and neither committed nor discarded.</summary>
    public abstract IReadOnlyList<long> UnfinishedWrites();

    private sealed class Disk(string dataDir) : StoredData
    {
        public override IReadOnlyList<DataItem> DataItems(string bucket)
        {
            string data = DataPath(bucket);
            return [.. Directory.GetFiles(data, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                .Select(file => new DataItem(Path.GetRelativePath(data, file), File.GetLastWriteTimeUtc(file)))];
        }

        public override byte[] Read(string bucket, DataItem item) => File.ReadAllBytes(Path.Combine(DataPath(bucket), item.Name));

        public override void Write(string bucket, DataItem item, byte[] bytes) => File.WriteAllBytes(Path.Combine(DataPath(bucket), item.Name), bytes);

        public override void Delete(string bucket, DataItem item) => File.Delete(Path.Combine(DataPath(bucket), item.Name));

        // Anything in the temp directory is left over, a directory too.
        public override IReadOnlyList<long> UnfinishedWrites()
            => [.. new DirectoryInfo(Path.Combine(dataDir, ".fasts3", "tmp")).EnumerateFileSystemInfos().Select(entry => entry is FileInfo file ? file.Length : 0)];

        private string DataPath(string bucket) => Path.Combine(dataDir, "buckets", bucket, "data");
    }

    private sealed class Memory(MemoryStore store) : StoredData
    {
        public override IReadOnlyList<DataItem> DataItems(string bucket) => store.Bucket(bucket).DataItems;

        public override byte[] Read(string bucket, DataItem item) => store.Bucket(bucket).ReadData(item.Name);

        public override void Write(string bucket, DataItem item, byte[] bytes) => store.Bucket(bucket).ReplaceData(item.Name, bytes);

        public override void Delete(string bucket, DataItem item) => store.Bucket(bucket).DeleteData(Guid.Parse(item.Name));

        public override IReadOnlyList<long> UnfinishedWrites() => store.UnfinishedWrites;
    }
}
