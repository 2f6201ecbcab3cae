namespace FastS3.Tests.Crash;

/// <summary>
/// A plain directory, and power that never fails. SIGKILL ends the server but not the kernel, whose
/// page cache keeps every write the server made, synced or not: what is lost is what the process
/// held in memory only.
/// </summary>
internal sealed class PageCacheDisk : ICrashDisk
{
    public string DataDir { get; } = Directory.CreateTempSubdirectory("fasts3-crash-").FullName;

    public Task<string> CutPowerAsync() => Task.FromResult("no power cut");

    public string[] ServerArguments(int round) => [];

    public ValueTask DisposeAsync()
    {
        Directory.Delete(DataDir, recursive: true);
        return ValueTask.CompletedTask;
    }
}
