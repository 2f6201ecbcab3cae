using System.Diagnostics;

namespace FastS3.Testing;

public static class Processes
{
    /// <summary>Runs a command to completion (bounded) and returns exit code and combined output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan? timeout = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromMinutes(2));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, params string[] arguments)
        => RunAsync(new ProcessStartInfo(file, arguments));

    public static Task<(int ExitCode, string Stdout, string Stderr)> CurlAsync(params string[] arguments)
        => RunAsync("curl", ["--silent", "--show-error", "--max-time", "60", .. arguments]);

    /// <summary>Whether <paramref name="command"/> is an executable file in a PATH directory.</summary>
    public static bool OnPath(string command)
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Any(directory => File.Exists(Path.Combine(directory, command)));

    /// <summary>The repository root, found from the test output directory.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FastS3.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("FastS3.sln not found above " + AppContext.BaseDirectory);
    }
}
