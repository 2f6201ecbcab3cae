using System.Runtime.InteropServices;
using System.Text;

namespace FastS3.Tests.Containment;

/// <summary>
/// A DATA_DIR with bait around it, and an inotify watch on all of it: a directory beside DATA_DIR
/// shaped like a bucket (<c>canary/</c>), another server's data directory (<c>victim/</c>), and a
/// bucket-shaped directory inside DATA_DIR but outside <c>buckets/</c> (<c>data/decoy/</c>). Any
/// process opening, reading, writing, creating, deleting or renaming anything in them, or in DATA_DIR
/// itself other than <c>buckets/</c> and <c>.fasts3/</c>, is reported by <see cref="TakeViolations"/>.
/// (inotify does not report stat(), so an existence check alone goes unseen.)
/// </summary>
public sealed class PathSandbox : IDisposable
{
    private const uint AllEvents = 0xFFF;
    private const uint QueueOverflow = 0x4000;
    private const uint Ignored = 0x8000;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const int WouldBlock = 11;

    private readonly int _inotify;
    private readonly Dictionary<int, string> _watched = [];
    private readonly List<string> _violations = [];

    public PathSandbox()
    {
        Root = Directory.CreateTempSubdirectory("fasts3-sandbox-").FullName;
        DataDir = Path.Combine(Root, "data");
        Canary = Path.Combine(Root, "canary");
        Victim = Path.Combine(Root, "victim");
        Decoy = Path.Combine(DataDir, "decoy");
        MakeBucketShaped(Canary);
        MakeBucketShaped(Decoy);
        MakeBucketShaped(Path.Combine(Victim, "buckets", "vb"));
        Directory.CreateDirectory(Path.Combine(Victim, ".fasts3"));
        File.WriteAllText(Path.Combine(Victim, ".fasts3", "format"), "fasts3 store 1\n");

        _inotify = inotify_init1(NonBlocking | CloseOnExec);
        if (_inotify < 0)
        {
            throw new InvalidOperationException($"inotify_init1 failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public string Root { get; }

    /// <summary>DATA_DIR for the server under test; start it before <see cref="Watch"/>.</summary>
    public string DataDir { get; }

    public string Canary { get; }

    public string Victim { get; }

    public string Decoy { get; }

    /// <summary>Starts watching (after the server has laid out DATA_DIR, which is allowed to touch it).</summary>
    public void Watch()
    {
        // Listed before any watch exists: the listing itself would show up as opens and reads.
        string[] bait = [Canary, Victim, Decoy];
        string[] directories = [Root, DataDir, .. bait, .. bait.SelectMany(b => Directory.EnumerateDirectories(b, "*", SearchOption.AllDirectories))];
        foreach (string directory in directories)
        {
            AddWatch(directory);
        }
    }

    /// <summary>What touched the bait since the last call ("path: mask"), draining the queue.</summary>
    public unsafe IReadOnlyList<string> TakeViolations()
    {
        byte* buffer = stackalloc byte[64 * 1024];
        while (true)
        {
            nint read = ReadEvents(_inotify, buffer, 64 * 1024);
            if (read < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == WouldBlock)
                {
                    break;
                }

                throw new InvalidOperationException($"reading inotify events failed: errno {errno}");
            }

            for (nint offset = 0; offset < read;)
            {
                int wd = *(int*)(buffer + offset);
                uint mask = *(uint*)(buffer + offset + 4);
                uint length = *(uint*)(buffer + offset + 12);
                string name = Encoding.UTF8.GetString(buffer + offset + 16, (int)length).TrimEnd('\0');
                offset += 16 + (nint)length;
                Record(wd, mask, name);
            }
        }

        string[] taken = [.. _violations];
        _violations.Clear();
        return taken;
    }

    public void Dispose()
    {
        _ = close(_inotify); // a failed close costs the test process one descriptor, nothing more
        Directory.Delete(Root, recursive: true);
    }

    private void Record(int wd, uint mask, string name)
    {
        if ((mask & QueueOverflow) != 0)
        {
            _violations.Add("inotify queue overflowed: events were lost");
            return;
        }

        if (mask == Ignored || !_watched.TryGetValue(wd, out string? directory))
        {
            return;
        }

        // DATA_DIR's own entries are the store's to use; anything else in it, or DATA_DIR opened itself, is not.
        if (directory == DataDir && name is "buckets" or ".fasts3")
        {
            return;
        }

        _violations.Add($"{Path.Combine(directory, name)}: 0x{mask:x}");
    }

    private void AddWatch(string directory)
    {
        int wd = inotify_add_watch(_inotify, directory, AllEvents);
        if (wd < 0)
        {
            throw new InvalidOperationException($"inotify_add_watch({directory}) failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _watched[wd] = directory;
    }

    /// <summary>What the store reads as a bucket: a <c>created</c> file of digits, an index and data directories.</summary>
    private static void MakeBucketShaped(string directory)
    {
        Directory.CreateDirectory(Path.Combine(directory, "index"));
        Directory.CreateDirectory(Path.Combine(directory, "uploads"));
        Directory.CreateDirectory(Path.Combine(directory, "data", "00"));
        File.WriteAllText(Path.Combine(directory, "created"), "638000000000000000");
        File.WriteAllText(Path.Combine(directory, "data", "00", "precious"), "do not touch");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_init1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_add_watch(int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mask);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern unsafe nint ReadEvents(int fd, byte* buffer, nint count);

    [DllImport("libc")]
    private static extern int close(int fd);
}
