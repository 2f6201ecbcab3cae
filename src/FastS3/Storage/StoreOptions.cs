namespace FastS3.Storage;

/// <summary>What every store is tuned by; a backend's own options derive from it.</summary>
public class StoreOptions
{
    /// <summary>Objects of at most this many stored bytes live inside their record (see <see cref="InlineWriter"/>); 0 turns it off.</summary>
    public int InlineLimit { get; init; } = 32 * 1024;

    /// <summary>
    /// How long a completed multipart upload answers a Complete sent again (see <see cref="CompletedUploads"/>).
    /// S3 does so "for a while"; an SDK retries within a minute or two of a lost answer, a Complete
    /// kept alive for minutes included, and an hour of records costs one small record a Complete.
    /// </summary>
    public TimeSpan CompletedUploadLifetime { get; init; } = TimeSpan.FromHours(1);
}
