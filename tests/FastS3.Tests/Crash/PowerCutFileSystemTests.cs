using FastS3.Storage;
using FastS3.Storage.Disk;
using FastS3.Storage.Disk.Native;

namespace FastS3.Tests.Crash;

/// <summary>
/// powercut-fs itself, which the power-cut test trusts to lose exactly what a disk would: a file
/// keeps its bytes and size as of its last fsync, a directory its entries as of its last fsync.
/// </summary>
[Trait("Store", "Disk")]
public sealed class PowerCutFileSystemTests
{
    [Fact]
    public async Task ADroppedCutKeepsOnlyWhatWasSynced()
    {
        await using PowerCutDisk disk = await PowerCutDisk.MountAsync(PowerCut.Dropped);
        string root = disk.DataDir;
        string dir = Directory.CreateDirectory(Path.Combine(root, "dir")).FullName;
        Write(Path.Combine(root, "synced"), "durable", sync: true);
        Write(Path.Combine(root, "unlinked"), "back", sync: true);
        Write(Path.Combine(root, "renamed"), "old name", sync: true);
        Write(Path.Combine(root, "open"), "old", sync: true);
        Write(Path.Combine(root, "empty"), "bytes never synced", sync: false);
        Write(Path.Combine(dir, "removed"), "gone", sync: true);
        NativeFile.SyncDirectory(dir);
        NativeFile.SyncDirectory(root);

        using (var file = File.OpenHandle(Path.Combine(root, "synced"), FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(file, " and more"u8, 7);
        }

        Write(Path.Combine(root, "nameless"), "synced bytes, unsynced name", sync: true);
        File.Delete(Path.Combine(root, "unlinked"));
        File.Move(Path.Combine(root, "renamed"), Path.Combine(root, "moved"));
        File.Delete(Path.Combine(dir, "removed"));
        NativeFile.SyncDirectory(dir);

        // An open file outlives its name, as POSIX has it (the server reads objects being replaced so).
        using (var open = File.OpenHandle(Path.Combine(root, "open"), FileMode.Open, FileAccess.ReadWrite))
        {
            File.Delete(Path.Combine(root, "open"));
            RandomAccess.Write(open, "!"u8, 3);
            byte[] read = new byte[4];
            Assert.Equal(4, RandomAccess.Read(open, read, 0));
            Assert.Equal("old!"u8.ToArray(), read);
        }

        await disk.CutPowerAsync();

        Assert.Equal(["dir", "empty", "open", "renamed", "synced", "unlinked"], Names(root));
        Assert.Empty(Names(dir));
        Assert.Equal("durable", File.ReadAllText(Path.Combine(root, "synced")));
        Assert.Equal("back", File.ReadAllText(Path.Combine(root, "unlinked")));
        Assert.Equal("old name", File.ReadAllText(Path.Combine(root, "renamed")));
        Assert.Equal("old", File.ReadAllText(Path.Combine(root, "open")));
        Assert.Equal("", File.ReadAllText(Path.Combine(root, "empty")));
    }

    [Fact]
    public async Task AKeptCutLosesNothing()
    {
        await using PowerCutDisk disk = await PowerCutDisk.MountAsync(PowerCut.Kept);
        Write(Path.Combine(disk.DataDir, "unsynced"), "kept", sync: false);
        await disk.CutPowerAsync();
        Assert.Equal("kept", File.ReadAllText(Path.Combine(disk.DataDir, "unsynced")));
    }

    /// <summary>Files whose names are durable, bytes not: each keeps its size or not, and each page its bytes or zeros, at random.</summary>
    [Fact]
    public async Task ATornCutKeepsARandomPartOfEachFile()
    {
        const int Files = 32;
        const int Pages = 4;
        await using PowerCutDisk disk = await PowerCutDisk.MountAsync(PowerCut.Torn);
        for (int i = 0; i < Files; i++)
        {
            byte[] bytes = new byte[Pages * 4096];
            for (int page = 0; page < Pages; page++)
            {
                bytes.AsSpan(page * 4096, 4096).Fill((byte)(page + 1));
            }

            File.WriteAllBytes(Path.Combine(disk.DataDir, $"{i}"), bytes);
        }

        NativeFile.SyncDirectory(disk.DataDir);
        string cut = await disk.CutPowerAsync();

        var sizes = new HashSet<int>();
        var pages = new HashSet<(int Page, bool Kept)>();
        for (int i = 0; i < Files; i++)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(disk.DataDir, $"{i}"));
            sizes.Add(bytes.Length);
            for (int page = 0; page * 4096 < bytes.Length; page++)
            {
                byte[] content = bytes[(page * 4096)..((page + 1) * 4096)];
                bool kept = content.All(b => b == page + 1);
                Assert.True(kept || content.All(b => b == 0), $"{cut}: file {i}, page {page} is torn within the page");
                pages.Add((page, kept));
            }
        }

        Assert.Equal([0, Pages * 4096], sizes.Order());
        Assert.Contains((0, true), pages);
        Assert.Contains((0, false), pages);
    }

    private static void Write(string path, string text, bool sync)
    {
        File.WriteAllText(path, text);
        if (sync)
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
            RandomAccess.FlushToDisk(file);
        }
    }

    private static string[] Names(string directory) => [.. Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
}
