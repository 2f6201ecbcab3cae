using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FastS3.Testing;

/// <summary>Runs S3 command line clients the way their users do, bounded in time.</summary>
public static class ClientCommands
{
    /// <summary>
    /// Runs <paramref name="start"/> and returns its stdout. When it fails, the S3 error it reported
    /// (<paramref name="surfacedError"/> matched on its output: groups <c>status</c>, <c>code</c>,
    /// <c>message</c>) is thrown as an <see cref="S3ClientError"/>, anything else with all its output.
    /// </summary>
    public static async Task<string> RunAsync(ProcessStartInfo start, Regex surfacedError)
    {
        var (exit, stdout, stderr) = await Processes.RunAsync(start, TimeSpan.FromMinutes(2));
        if (exit == 0)
        {
            return stdout;
        }

        Match error = surfacedError.Match(stdout + stderr);
        throw error.Success
            ? new S3ClientError(int.Parse(error.Groups["status"].Value), error.Groups["code"].Value, error.Groups["message"].Value)
            : new InvalidOperationException($"{start.FileName} {string.Join(' ', start.ArgumentList)} exited {exit}:\n{stdout}\n{stderr}");
    }
}
