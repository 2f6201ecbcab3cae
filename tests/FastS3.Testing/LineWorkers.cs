using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace FastS3.Testing;

/// <summary>
/// Long-lived processes that each answer one JSON value a line on standard input with one line on
/// standard output: <c>{"ok": result}</c>, or <c>{"error": message}</c> for a request that failed.
/// A process start and its imports (about half a second, more on a busy machine) are paid once a
/// process instead of once a request. Up to <paramref name="processes"/> requests run at once, each
/// in a process of its own; the processes end by themselves when the test process goes and their
/// standard input closes.
/// </summary>
public sealed class LineWorkers(string name, Func<Task<ProcessStartInfo>> start, int processes)
{
    private readonly SemaphoreSlim _slots = new(processes, processes);
    private readonly ConcurrentBag<Process> _idle = [];

    /// <summary>Sends <paramref name="request"/> to an idle process and returns its result.</summary>
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
                throw new InvalidOperationException($"{name}: the worker process exited");
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
        ProcessStartInfo info = await start();
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        return Process.Start(info)!;
    }
}
