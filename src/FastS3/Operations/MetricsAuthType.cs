namespace FastS3.Operations;

/// <summary><c>FASTS3_PROMETHEUS_AUTH_TYPE</c>: MinIO's MINIO_PROMETHEUS_AUTH_TYPE, renamed. "public" opens the metrics; anything else, or nothing, keeps them behind a token ("jwt").</summary>
public static class MetricsAuthType
{
    public const string Variable = "FASTS3_PROMETHEUS_AUTH_TYPE";

    public static bool IsPublic(string? value) => string.Equals(value?.Trim(), "public", StringComparison.OrdinalIgnoreCase);
}
