namespace FastS3.Tests.Crash;

/// <summary>
/// Where the crash rounds keep DATA_DIR, and what a crash does to the writes the server had not
/// made durable: <see cref="PageCacheDisk"/> keeps them all (a SIGKILL ends the process, not the
/// kernel), <see cref="PowerCutDisk"/> loses them.
/// </summary>
internal interface ICrashDisk : IAsyncDisposable
{
    string DataDir { get; }

    /// <summary>
    /// Once the server on <see cref="DataDir"/> has exited (killed or stopped): what becomes of the
    /// writes it had not synced. Returns what happened, for the log.
    /// </summary>
    Task<string> CutPowerAsync();

    /// <summary>Arguments for every server of round <paramref name="round"/> that this disk adds.</summary>
    string[] ServerArguments(int round);
}
