namespace FastS3.Storage.Disk;

/// <summary>
/// How data files reach the disk. Both are durable: the file is fdatasync'ed before the write is
/// acknowledged. Which is faster depends on the device (see README, "Storage").
/// </summary>
public enum WriteMode : byte
{
    /// <summary>Through the page cache, then fdatasync.</summary>
    Buffered,

    /// <summary>O_DIRECT from aligned buffers (no page-cache copy), then fdatasync for the device cache.</summary>
    Direct,
}
