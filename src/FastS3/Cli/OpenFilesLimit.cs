using FastS3.Http;
using FastS3.Operations;

namespace FastS3.Cli;

/// <summary>
/// Keeps the connection limit within the process's open-files limit. Running out of descriptors is
/// fatal to a .NET process, not only to the connection that wanted one: the runtime cannot start a
/// thread without one and aborts as if out of memory. A connection may hold two (its socket and the
/// data file of an object it writes or reads), and some are kept for everything else.
/// </summary>
internal static class OpenFilesLimit
{
    /// <summary>For the runtime, listeners, indexes and refused connections still closing.</summary>
    public const int Reserve = 2048;

    /// <summary><paramref name="requested"/>, or the most connections the soft "Max open files" of <paramref name="limitsPath"/> can hold, with a warning.</summary>
    public static int Fit(int requested, IServerLog log, string limitsPath = "/proc/self/limits")
    {
        if (ProcessStats.OpenFilesLimit(limitsPath) is not long openFiles)
        {
            // Unreadable, or "unlimited".
            return requested;
        }

        int fitting = (int)Math.Clamp((openFiles - Reserve) / 2, 1, int.MaxValue);
        if (fitting >= requested)
        {
            return requested;
        }

        log.Warning($"the open-files limit ({openFiles}) holds {fitting} connections of a socket and a data file each, {Reserve} kept for the rest: "
            + $"at most {fitting} connections instead of {requested} (raise `ulimit -n` for more)");
        return fitting;
    }
}
