namespace FastS3.Testing;

/// <summary>
/// A small tmpfs mounted for one test: a disk that really fills up. Mounting needs root with
/// CAP_SYS_ADMIN; when it is refused all the same (a container without the capability) this throws
/// saying so, and the test fails rather than passing without having run. Disposing unmounts (lazily
/// if something still holds a file there) and removes the mount point.
/// </summary>
public sealed class TmpfsMount : IAsyncDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    /// <summary>Bytes left for new data (statvfs).</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (as mount's size= option: "64m") on a new temporary directory.</summary>
    public static async Task<TmpfsMount> MountAsync(string size)
    {
        string path = Directory.CreateTempSubdirectory("fasts3-tmpfs-").FullName;
        (int exitCode, _, string stderr) = await Processes.RunAsync("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        if (exitCode != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException(
                $"mount -t tmpfs -o size={size} tmpfs {path} failed ({exitCode}): {stderr.Trim()}. This test fills a small tmpfs and needs "
                + "root with CAP_SYS_ADMIN (in a container: --cap-add SYS_ADMIN or --privileged).");
        }

        return new TmpfsMount(path);
    }

    /// <summary>
    /// Writes zeros into a new file <paramref name="name"/> at the top of the mount until only
    /// <paramref name="leaving"/> bytes are free, or none (the disk is full); returns the bytes it
    /// took. Deleting the file gives them back.
    /// </summary>
    public long Fill(string name, long leaving = 0)
    {
        byte[] block = new byte[4096];
        long target = FreeBytes - leaving;
        long written = 0;
        using var file = File.OpenHandle(System.IO.Path.Combine(Path, name), FileMode.CreateNew, FileAccess.Write);
        try
        {
            // Bounded by the disk: every round takes a block of it.
            while (leaving == 0 || written < target)
            {
                RandomAccess.Write(file, block, written);
                written += block.Length;
            }
        }
        catch (IOException exception) when (exception.HResult == 28)
        {
        }

        return written;
    }

    public async ValueTask DisposeAsync()
    {
        (int exitCode, _, _) = await Processes.RunAsync("umount", Path);
        if (exitCode != 0)
        {
            await Processes.RunAsync("umount", "-l", Path);
        }

        Directory.Delete(Path);
    }
}
