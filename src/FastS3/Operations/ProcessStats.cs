using System.Diagnostics;

namespace FastS3.Operations;

/// <summary>
/// What Linux reports about this process, read from /proc/self when the metrics are scraped: memory,
/// descriptors and I/O (the figures MinIO's node metrics give for its own process). A file that
/// cannot be read leaves its figures out rather than reporting zeros.
/// </summary>
internal static class ProcessStats
{
    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>When the process started, in seconds since the Unix epoch.</summary>
    public static readonly double StartTime = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Resident and virtual bytes (/proc/self/statm).</summary>
    public static (long Resident, long Virtual)? Memory()
    {
        string[]? fields = TryRead("/proc/self/statm")?.Split(' ');
        return fields is { Length: >= 2 } && long.TryParse(fields[0], out long size) && long.TryParse(fields[1], out long resident)
            ? (resident * PageSize, size * PageSize)
            : null;
    }

    /// <summary>Descriptors open now (/proc/self/fd).</summary>
    public static int? OpenFiles()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The soft "Max open files" limit; null when unreadable or unlimited.</summary>
    public static long? OpenFilesLimit(string limitsPath = "/proc/self/limits")
    {
        string? line = File.Exists(limitsPath) ? File.ReadLines(limitsPath).FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal)) : null;
        string[] fields = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return fields.Length >= 4 && long.TryParse(fields[3], out long limit) ? limit : null;
    }

    /// <summary>The "name: value" counters of /proc/self/io (rchar, wchar, syscr, syscw, read_bytes, write_bytes).</summary>
    public static Dictionary<string, long> Io()
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in TryRead("/proc/self/io")?.Split('\n') ?? [])
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && long.TryParse(line.AsSpan(colon + 1).Trim(), out long value))
            {
                values[line[..colon]] = value;
            }
        }

        return values;
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
