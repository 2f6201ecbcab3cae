using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace FastS3.Testing;

/// <summary>
/// A core dump of a live process, taken with gdb's <c>gcore</c> (the same for the JIT build and the
/// native AOT binary, which has no createdump), in a directory of its own that is deleted on
/// dispose: a dump is as large as the process's mappings, hundreds of MB. It knows which address
/// each byte of the file was read from (the ELF core's load segments) and what was mapped there
/// (/proc/PID/maps, read just before the dump: the mapping names a core file does not keep).
/// </summary>
public sealed class CoreDump : IDisposable
{
    private const uint LoadSegment = 1;

    private readonly string _directory;
    private readonly List<(long Offset, long Address, long Size)> _segments;
    private readonly List<(long Start, long End, string Description)> _mappings;

    private CoreDump(string directory, string path, string maps)
    {
        _directory = directory;
        Path = path;
        _segments = LoadSegments(path);
        _mappings = [.. maps.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(ParseMapping)];
    }

    public string Path { get; }

    /// <summary>Stops the process for the moment gcore copies its memory, then lets it run on.</summary>
    public static async Task<CoreDump> TakeAsync(int processId)
    {
        string directory = Directory.CreateTempSubdirectory("fasts3-core-").FullName;
        string prefix = System.IO.Path.Combine(directory, "core");
        string path = $"{prefix}.{processId}";
        string maps = await File.ReadAllTextAsync($"/proc/{processId}/maps");
        var (exit, stdout, stderr) = await Processes.RunAsync(new ProcessStartInfo("gcore", ["-o", prefix, processId.ToString()]), TimeSpan.FromMinutes(2));
        if (exit != 0 || !File.Exists(path))
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"gcore failed ({exit}); it needs gdb and permission to ptrace the server:\n{stdout}{stderr}");
        }

        return new CoreDump(directory, path, maps);
    }

    /// <summary>The process address the byte at <paramref name="offset"/> of the file was read from, if it is memory (not ELF headers or notes).</summary>
    public long? AddressOf(long offset)
    {
        foreach ((long start, long address, long size) in _segments)
        {
            if (offset >= start && offset < start + size)
            {
                return address + (offset - start);
            }
        }

        return null;
    }

    /// <summary>"0xADDRESS in START-END PERMS NAME", NAME being the mapped file, [heap], [stack] or anonymous.</summary>
    public string Describe(long offset)
    {
        if (AddressOf(offset) is not { } address)
        {
            return "outside the process's memory (ELF headers and notes)";
        }

        (long Start, long End, string Description) mapping = _mappings.FirstOrDefault(m => address >= m.Start && address < m.End);
        return $"0x{address:x} in {mapping.Description ?? "a mapping /proc/PID/maps did not list"}";
    }

    /// <summary>Reads process memory at <paramref name="address"/>, if the dump holds all of it.</summary>
    public bool TryRead(long address, Span<byte> into)
    {
        foreach ((long start, long segmentAddress, long size) in _segments)
        {
            if (address >= segmentAddress && address + into.Length <= segmentAddress + size)
            {
                using var file = File.OpenHandle(Path);
                return RandomAccess.Read(file, into, start + (address - segmentAddress)) == into.Length;
            }
        }

        return false;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>The PT_LOAD program headers of a 64-bit little-endian ELF core: where each memory segment's bytes are in the file.</summary>
    private static List<(long Offset, long Address, long Size)> LoadSegments(string path)
    {
        using FileStream file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[64];
        file.ReadExactly(header);
        long tableOffset = BinaryPrimitives.ReadInt64LittleEndian(header[0x20..]);
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[0x36..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(header[0x38..]);
        byte[] table = new byte[entrySize * count];
        file.Position = tableOffset;
        file.ReadExactly(table);
        var segments = new List<(long, long, long)>();
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = table.AsSpan(i * entrySize, entrySize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(entry) == LoadSegment)
            {
                segments.Add((BinaryPrimitives.ReadInt64LittleEndian(entry[8..]), BinaryPrimitives.ReadInt64LittleEndian(entry[16..]), BinaryPrimitives.ReadInt64LittleEndian(entry[32..])));
            }
        }

        return segments;
    }

    /// <summary>A line of /proc/PID/maps: "start-end perms offset dev inode [name]".</summary>
    private static (long Start, long End, string Description) ParseMapping(string line)
    {
        string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
        string[] range = fields[0].Split('-');
        string name = fields.Length > 5 ? fields[5].Trim() : "anonymous";
        return (long.Parse(range[0], NumberStyles.HexNumber), long.Parse(range[1], NumberStyles.HexNumber), $"{fields[0]} {fields[1]} {name}");
    }
}
