namespace FastS3.Upstream;

/// <summary>Where the upstream S3 is and how to reach it: one set per <see cref="UpstreamClient"/>.</summary>
public sealed record UpstreamOptions
{
    /// <summary>http or https; path-style requests go to its root (any path in it is ignored).</summary>
    public required Uri Endpoint { get; init; }

    public string Region { get; init; } = "us-east-1";

    public required string AccessKey { get; init; }

    public required string SecretKey { get; init; }

    /// <summary>PEM file of the CAs to trust instead of the system store (a self-signed upstream).</summary>
    public string? CaFile { get; init; }

    /// <summary>Accept any certificate: for test beds only, never in front of real data.</summary>
    public bool Insecure { get; init; }

    public int MaxConnectionsPerServer { get; init; } = 64;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Until the response head arrives; for a streamed upload, counted from the body's last byte,
    /// since the caller sets the body's pace.
    /// </summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts of an idempotent request that met a connection failure or a timeout.</summary>
    public int MaxAttempts { get; init; } = 3;
}
