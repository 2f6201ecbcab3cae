using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace FastS3.Testing;

/// <summary>
/// Long-lived python3 processes that each run <c>serve(handle)</c> over a script's <c>handle</c>:
/// one JSON value a line in, its result a line out. A python start and its imports (about half a
/// second, more on a busy machine) are paid once a process instead of once a request. Up to
/// <paramref name="processes"/> requests run at once, each in a process of its own; the processes
/// end by themselves when the test process goes and their standard input closes.
/// </summary>
public sealed class PythonWorkers(string name, string script, int processes, IReadOnlyDictionary<string, string>? environment = null)
{
    // Replies go to the real stdout: a handler may redirect sys.stdout for what it runs.
    private const string Serve = """
        import json, sys
        def serve(handle):
            for line in sys.stdin:
                try:
                    reply = {"ok": handle(json.loads(line))}
                except BaseException as e:
                    reply = {"error": repr(e)}
                sys.__stdout__.write(json.dumps(reply) + "\n")
                sys.__stdout__.flush()

        """;

    private readonly SemaphoreSlim _slots = new(processes, processes);
    private readonly ConcurrentBag<Process> _idle = [];
    private readonly Lazy<Task<string>> _scriptPath = new(async () =>
    {
        string path = Path.Combine(Path.GetTempPath(), $"fasts3-{name}-{Environment.ProcessId}.py");
        await File.WriteAllTextAsync(path, Serve + script + "\nserve(handle)\n");
        return path;
    });

    /// <summary>Sends <paramref name="request"/> to an idle process and returns what its handler returned.</summary>
    public async Task<JsonElement> CallAsync<T>(T request, TimeSpan timeout)
    {
        string line = JsonSerializer.Serialize(request);
        await _slots.WaitAsync();
        try
        {
            Process process = _idle.TryTake(out Process? idle) ? idle : await StartAsync();
            string? reply;
            try
            {
                await process.StandardInput.WriteLineAsync(line);
                await process.StandardInput.FlushAsync();
                reply = await process.StandardOutput.ReadLineAsync().WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                // Its next line would answer this request, not the next one: it goes.
                process.Kill();
                throw new InvalidOperationException($"{name}: no answer within {timeout}");
            }

            if (reply is null)
            {
                throw new InvalidOperationException($"{name}: the python process exited");
            }

            _idle.Add(process);
            using JsonDocument parsed = JsonDocument.Parse(reply);
            return parsed.RootElement.TryGetProperty("ok", out JsonElement result)
                ? result.Clone()
                : throw new InvalidOperationException($"{name}: {parsed.RootElement.GetProperty("error").GetString()}");
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task<Process> StartAsync()
    {
        var start = new ProcessStartInfo("python3", [await _scriptPath.Value])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        foreach ((string variable, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        return Process.Start(start)!;
    }
}
