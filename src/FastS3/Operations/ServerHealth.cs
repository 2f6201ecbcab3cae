using FastS3.Storage;

namespace FastS3.Operations;

/// <summary>
/// Whether the server should be sent requests: not once a graceful stop has begun (so a load
/// balancer stops sending before connections close), nor while DATA_DIR's file system has less
/// than <see cref="MinFreeBytes"/> left, where every upload would be refused 507.
/// </summary>
public sealed class ServerHealth(Store store)
{
    /// <summary>Below this, the store counts as full: a write of any size would likely be refused.</summary>
    public const long MinFreeBytes = 1024 * 1024;

    private volatile bool _draining;

    /// <summary>Called as a graceful stop begins; readiness fails from then on.</summary>
    public void BeginDrain() => _draining = true;

    /// <summary>Null when ready; otherwise why not, as the probe's reason header says it.</summary>
    public string? NotReadyReason()
    {
        if (_draining)
        {
            return "draining";
        }

        return store.Space().Available < MinFreeBytes ? "storage-full" : null;
    }
}
