using FastS3.Http;

namespace FastS3.Operations;

internal enum OperationsEndpoint : byte
{
    None,
    Live,
    Ready,
    Cluster,
    Metrics,
}

/// <summary>
/// Which operator endpoint a request names, if any: the exact paths MinIO serves them at (and
/// <c>/metrics</c>), byte for byte, so nothing else (another spelling, a longer path, a dot
/// segment, percent-encoding) escapes authentication through them. Only for path-style requests:
/// on a virtual host these paths are object keys. <c>/metrics</c> takes no query, which leaves
/// every listing of a bucket named "metrics" to S3 but the bare ListObjects V1.
/// </summary>
internal static class OperationsRoutes
{
    public static OperationsEndpoint Match(HttpMethod method, ReadOnlySpan<byte> path, ReadOnlySpan<byte> query)
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
            _ when method == HttpMethod.Get && (path.SequenceEqual("/minio/v2/metrics/cluster"u8) || path.SequenceEqual("/minio/v2/metrics/node"u8)) => OperationsEndpoint.Metrics,
            _ when method == HttpMethod.Get && query.IsEmpty && path.SequenceEqual("/metrics"u8) => OperationsEndpoint.Metrics,
            _ => OperationsEndpoint.None,
        };
    }
}
