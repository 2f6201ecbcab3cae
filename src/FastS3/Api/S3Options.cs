namespace FastS3.Api;

/// <summary>Tunables of the S3 layer.</summary>
public sealed class S3Options
{
    /// <summary>The server's region: what credential scopes must name, HeadBucket and GetBucketLocation report.</summary>
    public string Region { get; init; } = Auth.SigV4Verifier.DefaultRegion;

    /// <summary>How long a Complete or Copy may work before its 200 goes out early (see <see cref="KeepAlive"/>).</summary>
    public TimeSpan KeepAliveDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often a space is sent while such a request keeps working.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The encryption of writes to a bucket without a default of its own (see
    /// <see cref="BucketEncryption.DefaultFor"/>), and what GetBucketEncryption reports for it.
    /// </summary>
    public ServerSideAlgorithm DefaultEncryption { get; init; } = ServerSideAlgorithm.None;
}
