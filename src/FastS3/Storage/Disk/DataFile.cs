using Microsoft.Win32.SafeHandles;

namespace FastS3.Storage.Disk;

/// <summary>A data file open for positional reads (pread), shared by no one: one per <see cref="DiskBucket.OpenData"/>.</summary>
internal sealed class DataFile(SafeFileHandle handle) : IRangeReader
{
    public ValueTask<int> ReadAsync(Memory<byte> buffer, long offset) => RandomAccess.ReadAsync(handle, buffer, offset);

    public void Dispose() => handle.Dispose();
}
