using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace FastS3.Testing;

/// <summary>
/// The real fasts3 executable (the JIT build next to the tests, or the native AOT binary) started as
/// a child process on a loopback address with an OS-chosen port, stopped with SIGTERM.
/// </summary>
public sealed partial class ServerProcess : TestServer
{
    private readonly StringBuilder _log = new();
    private Process _process = null!;

    private ServerProcess(string? dataDir, string? certsDir)
        : base(dataDir, certsDir)
    {
    }

    /// <summary>The server's resident set now (VmRSS of /proc/PID/status), in bytes.</summary>
    public long ResidentBytes() => Status("VmRSS:");

    /// <summary>The largest resident set the server has had (VmHWM), in bytes.</summary>
    public long PeakResidentBytes() => Status("VmHWM:");

    /// <summary>File descriptors the server holds open: sockets, data files, everything.</summary>
    public int OpenDescriptors() => Directory.GetFiles($"/proc/{_process.Id}/fd").Length;

    /// <summary>The sockets among them (listeners and connections): files the server opens and closes on its own do not count.</summary>
    public int OpenSockets() => Directory.GetFiles($"/proc/{_process.Id}/fd").Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);

    public int ProcessId => _process.Id;

    /// <summary>Waits until the server holds exactly <paramref name="sockets"/> sockets: connections clients closed are closed on its side too.</summary>
    public async Task WaitForOpenSocketsAsync(int sockets, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (OpenSockets() != sockets)
        {
            if (clock.Elapsed > within)
            {
                throw new TimeoutException($"the server holds {OpenSockets()} sockets after {within.TotalSeconds} s, not {sockets}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Everything the server wrote, stderr (its log) and stdout.</summary>
    public override string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts `fasts3 server` and waits for it to report where it listens.</summary>
    public static async Task<ServerProcess> StartAsync(string? executable = null, string address = "127.0.0.1:0", bool tls = true, string? certsDir = null, string? dataDir = null, IEnumerable<string>? extraArguments = null)
    {
        var server = new ServerProcess(dataDir, certsDir);
        var start = Command(executable, ["server", .. server.ServerArguments(address, tls, extraArguments)]);
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        server._process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        server._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("fasts3 exited:\n" + server.Log));
                return;
            }

            lock (server._log)
            {
                server._log.AppendLine(e.Data);
            }

            if (ListeningLine().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        server._process.OutputDataReceived += (_, e) =>
        {
            lock (server._log)
            {
                server._log.AppendLine(e.Data);
            }
        };
        server._process.BeginErrorReadLine();
        server._process.BeginOutputReadLine();
        server.BaseUrl = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return server;
    }

    /// <summary>
    /// How to run fasts3: the given native binary, or `dotnet fasts3.dll` from the test output, with
    /// every signal at its default disposition, as a service manager starts it. An ignored signal
    /// survives exec, and the runtime keeps an inherited SIG_IGN: a test run started under nohup
    /// would otherwise give the server a SIGHUP it can never see.
    /// </summary>
    public static ProcessStartInfo Command(string? executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("env");
        start.ArgumentList.Add("--default-signal");
        if (executable is null)
        {
            start.ArgumentList.Add("dotnet");
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fasts3.dll"));
        }
        else
        {
            start.ArgumentList.Add(executable);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["FASTS3_ROOT_USER"] = AwsCli.AccessKey;
        start.Environment["FASTS3_ROOT_PASSWORD"] = AwsCli.SecretKey;
        return start;
    }

    /// <summary>Sends SIGTERM and returns the exit code of the graceful stop.</summary>
    public override async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]);
            await kill.WaitForExitAsync();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        return _process.ExitCode;
    }

    /// <summary>SIGKILL: the process dies at once, mid-write if it was writing (crash tests).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    protected override async ValueTask ReleaseAsync()
    {
        try
        {
            await StopAsync();
        }
        catch (TimeoutException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private long Status(string field)
    {
        string line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0]) * 1024;
    }

    [GeneratedRegex(@"listening on (https?://\S+)")]
    private static partial Regex ListeningLine();
}
