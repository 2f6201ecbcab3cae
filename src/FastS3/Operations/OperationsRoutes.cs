using FastS3.Http;

namespace FastS3.Operations;

internal enum OperationsEndpoint : byte
{
    None,
    Live,
    Ready,
    Cluster,
}

/// <summary>
/// Which operator endpoint a request names, if any: the exact paths MinIO serves them at, byte for
/// byte, so nothing else (another spelling, a longer path, a dot segment, percent-encoding)
/// escapes authentication through them. Only for path-style requests: on a virtual host these
/// paths are object keys.
/// </summary>
internal static class OperationsRoutes
{
    public static OperationsEndpoint Match(HttpMethod method, ReadOnlySpan<byte> path)
    {
        if (method is not (HttpMethod.Get or HttpMethod.Head))
        {
            return OperationsEndpoint.None;
        }

        return path switch
        {
            _ when path.SequenceEqual("/minio/health/live"u8) => OperationsEndpoint.Live,
            _ when path.SequenceEqual("/minio/health/ready"u8) => OperationsEndpoint.Ready,
            _ when path.SequenceEqual("/minio/health/cluster"u8) => OperationsEndpoint.Cluster,
            _ => OperationsEndpoint.None,
        };
    }
}
