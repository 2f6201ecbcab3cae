using System.Diagnostics;
using System.Text.Json;

namespace FastS3.Testing;

/// <summary>
/// <see cref="RequestSigner"/>'s botocore script, run again and again inside one long-lived python3
/// process: the same signatures, without paying for a python start and a botocore import (about a
/// quarter of a second) on every request of tests that send hundreds.
/// </summary>
public static class PersistentSigner
{
    // One JSON array of arguments a line in, one JSON object ({"ok": headers} or {"error": text}) a line out.
    private const string Loop = """
        import contextlib, io, json, runpy, sys
        script = sys.argv[1]
        for line in sys.stdin:
            sys.argv = [script] + json.loads(line)
            out = io.StringIO()
            try:
                with contextlib.redirect_stdout(out):
                    runpy.run_path(script, run_name="__main__")
                reply = {"ok": out.getvalue()}
            except BaseException as e:
                reply = {"error": repr(e)}
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
        """;

    private static readonly SemaphoreSlim Turn = new(1, 1);
    private static Process? _process;

    /// <summary>As <see cref="RequestSigner.SignAsync"/>, except that <paramref name="url"/> is signed exactly as escaped (its AbsoluteUri).</summary>
    public static async Task<string> SignAsync(string method, Uri url, byte[]? body, params string[] headers)
    {
        string bodyPath = "";
        if (body is not null)
        {
            bodyPath = Path.GetTempFileName();
            await File.WriteAllBytesAsync(bodyPath, body);
        }

        try
        {
            string request = JsonSerializer.Serialize<string[]>([method, url.AbsoluteUri, bodyPath, AwsCli.AccessKey, AwsCli.SecretKey, .. headers]);
            string? reply;
            await Turn.WaitAsync();
            try
            {
                Process process = _process ??= await StartAsync();
                await process.StandardInput.WriteLineAsync(request);
                await process.StandardInput.FlushAsync();
                try
                {
                    reply = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (TimeoutException)
                {
                    // Its next line would answer this request, not the next one: start afresh.
                    process.Kill();
                    reply = null;
                }

                if (reply is null)
                {
                    _process = null;
                    throw new InvalidOperationException("the signing process exited or hung");
                }
            }
            finally
            {
                Turn.Release();
            }

            using JsonDocument parsed = JsonDocument.Parse(reply);
            return parsed.RootElement.TryGetProperty("ok", out JsonElement signed)
                ? signed.GetString()!.Replace("\n", "\r\n")
                : throw new InvalidOperationException(parsed.RootElement.GetProperty("error").GetString());
        }
        finally
        {
            if (bodyPath.Length > 0)
            {
                File.Delete(bodyPath);
            }
        }
    }

    /// <summary>Starts the loop; it ends by itself when the test process goes and its standard input closes.</summary>
    private static async Task<Process> StartAsync()
    {
        string loopPath = Path.Combine(Path.GetTempPath(), $"fasts3-sign-loop-{Environment.ProcessId}.py");
        await File.WriteAllTextAsync(loopPath, Loop);
        var start = new ProcessStartInfo("python3", [loopPath, await RequestSigner.ScriptPath.Value])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
        };
        return Process.Start(start)!;
    }
}
