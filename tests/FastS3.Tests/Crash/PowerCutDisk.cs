using System.Diagnostics;
using System.Globalization;
using System.Text;
using FastS3.Testing;

namespace FastS3.Tests.Crash;

/// <summary>What a power cut does with the changes a server had not synced.</summary>
internal enum PowerCut
{
    /// <summary>All lost.</summary>
    Dropped,

    /// <summary>Each kept or lost at random (per page, file size and directory entry), as a disk writing back its cache in any order can leave them.</summary>
    Torn,

    /// <summary>All kept, as when only the process died.</summary>
    Kept,
}

/// <summary>
/// DATA_DIR on powercut-fs (tests/powercut/powercut-fs.c, compiled here against libfuse3): a FUSE
/// file system in memory that keeps, beside what reads see, what a disk would still hold after
/// losing power: a file's bytes as of its last fsync/fdatasync, a directory's entries as of its
/// last fsync. Once a server has exited, the power is cut in place: the durable state, with what
/// the <see cref="PowerCut"/> keeps of the rest, is what the next server finds. Unless told one,
/// the cuts take turns: dropped, torn, kept, so that the crash after each round's workload (every
/// other cut) meets all three in three rounds, dropped first.
/// Needs /dev/fuse, libfuse3 (libfuse3-dev, fuse3), pkg-config and a C compiler; without them it
/// fails, saying so, rather than passing without having run.
/// </summary>
internal sealed class PowerCutDisk : ICrashDisk
{
    private readonly string _root;
    private readonly Process _daemon;
    private readonly StringBuilder _errors;
    private readonly PowerCut? _only;
    private int _cuts;

    private PowerCutDisk(string root, Process daemon, StringBuilder errors, PowerCut? only)
    {
        _root = root;
        _daemon = daemon;
        _errors = errors;
        _only = only;
    }

    public string DataDir => Path.Combine(_root, "mnt");

    /// <summary>Builds powercut-fs and mounts it, empty; every cut is <paramref name="only"/> when given.</summary>
    public static async Task<PowerCutDisk> MountAsync(PowerCut? only = null)
    {
        if (!File.Exists("/dev/fuse"))
        {
            throw new InvalidOperationException("/dev/fuse is missing: the power-cut test mounts a FUSE file system (in a container: --device /dev/fuse --cap-add SYS_ADMIN).");
        }

        string root = Directory.CreateTempSubdirectory("fasts3-powercut-").FullName;
        try
        {
            string program = await BuildAsync(root);
            string mountPoint = Directory.CreateDirectory(Path.Combine(root, "mnt")).FullName;
            var daemon = new Process { StartInfo = new ProcessStartInfo(program, [mountPoint]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true } };
            var errors = new StringBuilder();
            daemon.ErrorDataReceived += (_, e) =>
            {
                lock (errors)
                {
                    errors.AppendLine(e.Data);
                }
            };
            daemon.Start();
            daemon.BeginErrorReadLine();
            if (await daemon.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is not { } mounted || !mounted.StartsWith("mounted", StringComparison.Ordinal))
            {
                await daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
                throw new InvalidOperationException($"powercut-fs did not mount: {Said(errors)}");
            }

            return new PowerCutDisk(root, daemon, errors, only);
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    public async Task<string> CutPowerAsync()
    {
        PowerCut cut = _only ?? (PowerCut)(_cuts++ % 3);
        string command = cut == PowerCut.Torn ? $"cut torn {Random.Shared.Next().ToString(CultureInfo.InvariantCulture)}" : $"cut {cut.ToString().ToLowerInvariant()}";
        await _daemon.StandardInput.WriteLineAsync(command);
        await _daemon.StandardInput.FlushAsync();
        string? reply = await _daemon.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (reply is null || reply.StartsWith("error", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"powercut-fs failed to {command}: {reply ?? Said(_errors)}");
        }

        return $"{command}: {reply}";
    }

    /// <summary>Every third round writes data files with O_DIRECT (the file system takes it; tmpfs would not).</summary>
    public string[] ServerArguments(int round) => round % 3 == 2 ? ["--write-mode", "Direct"] : [];

    /// <summary>End of input unmounts; should the daemon not go, it is killed and the mount dropped, before the directory goes.</summary>
    public async ValueTask DisposeAsync()
    {
        _daemon.StandardInput.Close();
        try
        {
            await _daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            _daemon.Kill();
            await _daemon.WaitForExitAsync();
        }

        if (_daemon.ExitCode != 0)
        {
            await Processes.RunAsync("fusermount3", "-u", "-z", DataDir);
        }

        _daemon.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Compiles powercut-fs into <paramref name="directory"/>, warnings as errors.</summary>
    private static async Task<string> BuildAsync(string directory)
    {
        string program = Path.Combine(directory, "powercut-fs");
        string source = Path.Combine(Processes.RepositoryRoot(), "tests", "powercut", "powercut-fs.c");
        (int status, string flags, string error) = await RunAsync("pkg-config", "--cflags", "--libs", "fuse3");
        if (status == 0)
        {
            string compiler = Environment.GetEnvironmentVariable("CC") is { Length: > 0 } cc ? cc : FindCompiler();
            (status, _, error) = await RunAsync(compiler, ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-o", program, source, .. flags.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
        }

        return status == 0 ? program
            : throw new InvalidOperationException($"building {source} failed: {error.Trim()}\nIt needs libfuse3 (apt-get install libfuse3-dev fuse3 pkg-config) and a C compiler.");
    }

    private static string Said(StringBuilder errors)
    {
        lock (errors)
        {
            return errors.ToString().Trim();
        }
    }

    private static string FindCompiler()
        => ((string[])["cc", "clang", "gcc"]).FirstOrDefault(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, name))))
            ?? throw new InvalidOperationException("no C compiler (cc, clang or gcc) on PATH: the power-cut test builds powercut-fs with one.");

    private static async Task<(int Status, string Output, string Error)> RunAsync(string program, params string[] arguments)
    {
        try
        {
            return await Processes.RunAsync(program, arguments);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, "", $"{program}: {ex.Message}");
        }
    }
}
