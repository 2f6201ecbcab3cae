using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FastS3.Storage.Disk.Native;

/// <summary>
/// The few Linux file calls .NET does not expose: open with O_DIRECT, fdatasync, ftruncate,
/// sync_file_range (start write-back early), fallocate (reserve blocks ahead), and fsync of a
/// directory (which makes a rename or a new name in it durable).
/// </summary>
internal static partial class NativeFile
{
    private const int O_WRONLY = 0x1;
    private const int O_RDONLY = 0x0;
    private const int O_CREAT = 0x40;
    private const int O_EXCL = 0x80;
    private const int O_CLOEXEC = 0x80000;
    private const int O_DIRECT = 0x4000;
    private const int O_DIRECTORY = 0x10000;

    /// <summary>Creates a new file for writing (it must not exist), optionally bypassing the page cache.</summary>
    public static SafeFileHandle CreateNew(string path, bool direct)
    {
        int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | (direct ? O_DIRECT : 0);
        int fd = Open(path, flags, 0b110_100_000);
        if (fd < 0)
        {
            throw Error("open", path);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    public static void DataSync(SafeFileHandle handle, string path)
    {
        if (FDataSync(handle) != 0)
        {
            throw Error("fdatasync", path);
        }
    }

    /// <summary>
    /// Asks the kernel to start writing a range of dirty pages to disk now, without waiting: the
    /// final fdatasync then has only the tail left. Advisory; fdatasync still reports any error.
    /// </summary>
    public static void StartWriteback(SafeFileHandle handle, long offset, long length)
    {
        const uint SYNC_FILE_RANGE_WRITE = 2;
        _ = SyncFileRange(handle, offset, length, SYNC_FILE_RANGE_WRITE);
    }

    public static void Truncate(SafeFileHandle handle, long length, string path)
    {
        if (FTruncate(handle, length) != 0)
        {
            throw Error("ftruncate", path);
        }
    }

    /// <summary>
    /// Reserves the blocks of [offset, offset + length) without changing the file's size
    /// (fallocate with FALLOC_FL_KEEP_SIZE), so writes there later cannot run out of space. False
    /// when the disk is full. A filesystem that cannot reserve counts as reserved: its writes then
    /// report a full disk themselves.
    /// </summary>
    public static bool TryReserve(SafeFileHandle handle, long offset, long length, string path)
    {
        const int FALLOC_FL_KEEP_SIZE = 1;
        const int EOPNOTSUPP = 95;
        if (FAllocate(handle, FALLOC_FL_KEEP_SIZE, offset, length) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (StorageFullException.IsNoSpaceError(errno))
        {
            return false;
        }

        if (errno != EOPNOTSUPP)
        {
            throw Error("fallocate", path);
        }

        return true;
    }

    public static void SyncDirectory(string directory)
    {
        int fd = Open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Error("open", directory);
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (FSync(handle) != 0)
        {
            throw Error("fsync", directory);
        }
    }

    private static IOException Error(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        string message = $"{call}({path}): {Marshal.GetPInvokeErrorMessage(errno)}";
        return StorageFullException.IsNoSpaceError(errno) ? new StorageFullException(message) : new IOException(message, errno);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(SafeFileHandle fd);

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long nbytes, uint flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int FTruncate(SafeFileHandle fd, long length);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int FAllocate(SafeFileHandle fd, int mode, long offset, long length);
}
