using System.Diagnostics;
using System.Text.Json;

namespace FastS3.Testing;

/// <summary>
/// <see cref="LineWorkers"/> in python3: each runs <c>serve(handle)</c> over a script's
/// <c>handle</c>, which takes the request's JSON value and returns its result.
/// </summary>
public sealed class PythonWorkers
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

    private readonly LineWorkers _workers;

    public PythonWorkers(string name, string script, int processes, IReadOnlyDictionary<string, string>? environment = null)
    {
        var scriptPath = new Lazy<Task<string>>(async () =>
        {
            string path = Path.Combine(Path.GetTempPath(), $"fasts3-{name}-{Environment.ProcessId}.py");
            await File.WriteAllTextAsync(path, Serve + script + "\nserve(handle)\n");
            return path;
        });
        _workers = new LineWorkers(name, async () =>
        {
            var start = new ProcessStartInfo("python3", [await scriptPath.Value]);
            foreach ((string variable, string value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[variable] = value;
            }

            return start;
        }, processes);
    }

    /// <summary>Sends <paramref name="request"/> to an idle process and returns what its handler returned.</summary>
    public Task<JsonElement> CallAsync<T>(T request, TimeSpan timeout) => _workers.CallAsync(request, timeout);
}
