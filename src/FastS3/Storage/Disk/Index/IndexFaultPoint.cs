namespace FastS3.Storage.Disk.Index;

/// <summary>
/// Moments between two durable steps where a crash leaves a distinct state on disk. Tests throw
/// from <see cref="OrderedIndexOptions.FaultHook"/> at one of them to stop the index there, then
/// reopen the directory.
/// </summary>
internal enum IndexFaultPoint
{
    /// <summary>A commit group's records are written to the WAL but not yet fdatasync'ed.</summary>
    WalWritten,

    /// <summary>A flush or compaction output table is synced; no MANIFEST names it yet.</summary>
    TableWritten,

    /// <summary>The new MANIFEST is in place; the flushed WAL or the compacted inputs still exist.</summary>
    ManifestWritten,
}
