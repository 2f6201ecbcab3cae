using System.Diagnostics;

namespace FastS3.Testing;

/// <summary>
/// A core dump of a live process, taken with gdb's <c>gcore</c> (the same for the JIT build and the
/// native AOT binary, which has no createdump), in a directory of its own that is deleted on
/// dispose: a dump is as large as the process's mappings, hundreds of MB.
/// </summary>
public sealed class CoreDump : IDisposable
{
    private readonly string _directory;

    private CoreDump(string directory, string path)
    {
        _directory = directory;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Stops the process for the moment gcore copies its memory, then lets it run on.</summary>
    public static async Task<CoreDump> TakeAsync(int processId)
    {
        string directory = Directory.CreateTempSubdirectory("fasts3-core-").FullName;
        string prefix = System.IO.Path.Combine(directory, "core");
        string path = $"{prefix}.{processId}";
        var (exit, stdout, stderr) = await Processes.RunAsync(new ProcessStartInfo("gcore", ["-o", prefix, processId.ToString()]), TimeSpan.FromMinutes(2));
        if (exit != 0 || !File.Exists(path))
        {
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"gcore failed ({exit}); it needs gdb and permission to ptrace the server:\n{stdout}{stderr}");
        }

        return new CoreDump(directory, path);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
