using System.Globalization;

namespace FastS3.Storage.Disk.Index;

/// <summary>
/// Names in an index directory: MANIFEST (and MANIFEST.tmp while it is replaced), LOCK, and
/// numbered WALs (000007.wal) and tables (000008.tbl) from one increasing sequence.
/// </summary>
internal static class IndexFiles
{
    public const string Manifest = "MANIFEST";
    public const string TemporaryManifest = "MANIFEST.tmp";
    public const string Lock = "LOCK";

    public static string Wal(string directory, long number) => Path.Combine(directory, Name(number, ".wal"));

    public static string Table(string directory, long number) => Path.Combine(directory, Name(number, ".tbl"));

    /// <summary>True for a WAL or table name; <paramref name="isWal"/> tells which.</summary>
    public static bool TryParse(string fileName, out long number, out bool isWal)
    {
        isWal = fileName.EndsWith(".wal", StringComparison.Ordinal);
        number = 0;
        return (isWal || fileName.EndsWith(".tbl", StringComparison.Ordinal))
            && fileName.Length > 4
            && long.TryParse(fileName.AsSpan(0, fileName.Length - 4), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    private static string Name(long number, string extension) => number.ToString("D6", CultureInfo.InvariantCulture) + extension;
}
