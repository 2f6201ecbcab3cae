using FastS3.Storage.Disk.Native;
namespace FastS3.Storage.Disk.Index;

public sealed partial class OrderedIndex
{
    /// <summary>
    /// Opens the index in <paramref name="directory"/>, creating it if needed, and recovers from
    /// any crash: files the MANIFEST does not reference (a flush or compaction cut short) are
    /// deleted, and the WALs it does not cover yet are replayed up to their first torn record.
    /// One instance per directory; a second open fails while the first holds the LOCK file.
    /// </summary>
    public static OrderedIndex Open(string directory, OrderedIndexOptions? options = null)
    {
        options ??= new OrderedIndexOptions();
        options.Validate();
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);

        // Its name in the parent is durable only once the parent is synced; the index's first
        // commit may come before anything else syncs it (a previous run may have died first).
        NativeFile.SyncDirectory(Path.GetDirectoryName(directory)!);

        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, IndexFiles.Lock), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception)
        {
            throw new IOException($"The index at {directory} is already open.", exception);
        }

        var tables = new List<Table>();
        WriteAheadLog? wal = null;
        try
        {
            return Recover(directory, options, lockFile, tables, ref wal);
        }
        catch
        {
            wal?.Dispose();
            foreach (Table table in tables)
            {
                table.Close();
            }

            lockFile.Dispose();
            throw;
        }
    }

    private static OrderedIndex Recover(string directory, OrderedIndexOptions options, FileStream lockFile, List<Table> tables, ref WriteAheadLog? wal)
    {
        // A MANIFEST.tmp was never renamed into place: the MANIFEST beside it is the current one.
        File.Delete(Path.Combine(directory, IndexFiles.TemporaryManifest));

        var walNumbers = new List<long>();
        var tableNumbers = new List<long>();
        long highest = 0;
        foreach (string path in System.IO.Directory.EnumerateFiles(directory))
        {
            if (IndexFiles.TryParse(Path.GetFileName(path), out long number, out bool isWal))
            {
                (isWal ? walNumbers : tableNumbers).Add(number);
                highest = Math.Max(highest, number);
            }
        }

        string manifestPath = Path.Combine(directory, IndexFiles.Manifest);
        Manifest manifest;
        if (File.Exists(manifestPath))
        {
            manifest = Manifest.Read(manifestPath);
        }
        else if (walNumbers.Count + tableNumbers.Count > 0)
        {
            // Our own crash cannot leave this: the first MANIFEST is written before any other file.
            throw new InvalidDataException($"{directory}: index files but no MANIFEST");
        }
        else
        {
            manifest = new Manifest(NextFileNumber: 1, LogNumber: 0, LiveCount: 0, Tables: []);
            manifest.Write(directory);
        }

        foreach (long number in tableNumbers)
        {
            if (Array.IndexOf(manifest.Tables, number) < 0)
            {
                File.Delete(IndexFiles.Table(directory, number));
            }
        }

        foreach (long number in walNumbers)
        {
            if (number < manifest.LogNumber)
            {
                File.Delete(IndexFiles.Wal(directory, number));
            }
        }

        foreach (long number in manifest.Tables)
        {
            tables.Add(Table.Open(IndexFiles.Table(directory, number), number));
        }

        long nextFileNumber = Math.Max(manifest.NextFileNumber, highest + 1);
        long liveCount = manifest.LiveCount;
        var memtables = new List<Memtable>();
        long validLength = 0;
        walNumbers.RemoveAll(number => number < manifest.LogNumber);
        walNumbers.Sort();
        foreach (long number in walNumbers)
        {
            var memtable = new Memtable(number);
            validLength = WriteAheadLog.Replay(IndexFiles.Wal(directory, number), memtable, out long liveDelta);
            liveCount += liveDelta;
            memtable.LiveCountAfter = liveCount;
            memtables.Add(memtable);
        }

        // Keep appending to the newest WAL unless its memtable is already full.
        Memtable mutable;
        if (memtables.Count > 0 && memtables[^1].Bytes < options.MemtableSize)
        {
            mutable = memtables[^1];
            memtables.RemoveAt(memtables.Count - 1);
            wal = WriteAheadLog.OpenForAppend(IndexFiles.Wal(directory, mutable.LogNumber), validLength);
        }
        else
        {
            long number = nextFileNumber++;
            mutable = new Memtable(number);
            wal = WriteAheadLog.Create(directory, number);
            NativeFile.SyncDirectory(directory);
        }

        // On a full disk the log starts without its reserve for deletes; it tries again as it grows.
        _ = wal.TryReserveAhead();
        memtables.Reverse();
        var version = new IndexVersion(mutable, [.. memtables], [.. tables]);
        var index = new OrderedIndex(directory, options, lockFile, manifest, version, wal, nextFileNumber, liveCount);
        lock (index._versionGate)
        {
            if (version.Frozen.Length > 0)
            {
                index.StartFlush();
            }

            index.StartCompaction();
        }

        return index;
    }
}
