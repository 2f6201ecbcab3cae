using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace FastS3.Testing;

/// <summary>
/// A core dump of a live process, taken with gdb's <c>gcore</c> (the same for the JIT build and the
/// native AOT binary, which has no createdump), in a directory of its own that is deleted on
/// dispose: a dump is as large as the process's mappings, hundreds of MB. It knows which address
/// each byte of the file was read from (the ELF core's load segments) and what was mapped there
/// (/proc/PID/maps, read just before the dump: the mapping names a core file does not keep), or
/// which thread's saved registers it is (the core's notes).
/// </summary>
public sealed class CoreDump : IDisposable
{
    private const uint LoadSegment = 1;
    private const uint NoteSegment = 4;
    private const uint ThreadStatusNote = 1;
    private const uint FloatingPointNote = 2;
    private const uint VectorStateNote = 0x202;

    private readonly string _directory;
    private readonly List<(long Offset, long Address, long Size)> _segments = [];
    private readonly List<(long Offset, long Size, string Description)> _notes = [];
    private readonly List<(long Start, long End, string Description)> _mappings;

    private CoreDump(string directory, string path, string maps)
    {
        _directory = directory;
        Path = path;
        ReadSegments(path);
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
            (long Offset, long Size, string Description) note = _notes.FirstOrDefault(n => offset >= n.Offset && offset < n.Offset + n.Size);
            return note.Description is null ? "in the core file's ELF headers" : $"byte {offset - note.Offset} of {note.Description}";
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

    /// <summary>
    /// Reads the program headers of a 64-bit little-endian ELF core: where each memory segment's bytes
    /// are in the file (PT_LOAD), and the notes (PT_NOTE), which hold each thread's saved registers,
    /// the thread named by the NT_PRSTATUS note that opens its group.
    /// </summary>
    private void ReadSegments(string path)
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
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> entry = table.AsSpan(i * entrySize, entrySize);
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(entry);
            long offset = BinaryPrimitives.ReadInt64LittleEndian(entry[8..]);
            long size = BinaryPrimitives.ReadInt64LittleEndian(entry[32..]);
            if (type == LoadSegment)
            {
                _segments.Add((offset, BinaryPrimitives.ReadInt64LittleEndian(entry[16..]), size));
            }
            else if (type == NoteSegment)
            {
                byte[] notes = new byte[size];
                file.Position = offset;
                file.ReadExactly(notes);
                ReadNotes(notes, offset);
            }
        }
    }

    /// <summary>Each note is a name size, a descriptor size, a type, then the name and the descriptor, each padded to 4 bytes.</summary>
    private void ReadNotes(byte[] notes, long fileOffset)
    {
        int thread = 0;
        for (int at = 0; at + 12 <= notes.Length;)
        {
            int nameSize = BinaryPrimitives.ReadInt32LittleEndian(notes.AsSpan(at));
            int size = BinaryPrimitives.ReadInt32LittleEndian(notes.AsSpan(at + 4));
            uint type = BinaryPrimitives.ReadUInt32LittleEndian(notes.AsSpan(at + 8));
            int descriptor = at + 12 + ((nameSize + 3) & ~3);
            if (type == ThreadStatusNote)
            {
                // struct elf_prstatus: pr_pid follows the signal info and masks.
                thread = BinaryPrimitives.ReadInt32LittleEndian(notes.AsSpan(descriptor + 32));
            }

            string what = type switch
            {
                ThreadStatusNote => $"the saved general registers of thread {thread}",
                FloatingPointNote => $"the saved SSE registers (FXSAVE) of thread {thread}",
                VectorStateNote => $"the saved vector registers (XSAVE) of thread {thread}",
                _ => $"core note 0x{type:x}",
            };
            _notes.Add((fileOffset + descriptor, size, what));
            at = descriptor + ((size + 3) & ~3);
        }
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
