namespace FastS3.Upstream;

public sealed record UpstreamBucket(string Name, DateTimeOffset CreationDate);

public enum BucketState
{
    Exists,
    Missing,
    Forbidden,
}

/// <summary>One ListObjectsV2 request; keys and prefixes are bytes, as everywhere in this client.</summary>
public sealed record ListObjectsQuery
{
    public ReadOnlyMemory<byte> Prefix { get; init; }

    public string? Delimiter { get; init; }

    public ReadOnlyMemory<byte> StartAfter { get; init; }

    public string? ContinuationToken { get; init; }

    /// <summary>1-1000; null leaves it to the upstream (1000).</summary>
    public int? MaxKeys { get; init; }
}

public sealed record ObjectEntry(ReadOnlyMemory<byte> Key, long Size, string ETag, DateTimeOffset LastModified);

public sealed record ListObjectsPage(IReadOnlyList<ObjectEntry> Objects, IReadOnlyList<ReadOnlyMemory<byte>> CommonPrefixes, bool IsTruncated, string? NextContinuationToken);

public sealed record PartEntry(int PartNumber, string ETag, long Size, DateTimeOffset LastModified);

public sealed record ListPartsPage(IReadOnlyList<PartEntry> Parts, bool IsTruncated, int? NextPartNumberMarker);

public sealed record UploadEntry(ReadOnlyMemory<byte> Key, string UploadId, DateTimeOffset Initiated);

public sealed record ListUploadsPage(IReadOnlyList<UploadEntry> Uploads, IReadOnlyList<ReadOnlyMemory<byte>> CommonPrefixes, bool IsTruncated, ReadOnlyMemory<byte> NextKeyMarker, string? NextUploadIdMarker);

/// <summary>A key DeleteObjects could not delete (quiet mode lists only these).</summary>
public sealed record DeleteFailure(ReadOnlyMemory<byte> Key, string Code, string Message);

/// <summary>
/// <paramref name="ETag"/> exactly as the upstream wrote it: RGW 16.2 leaves the quotes off here, and
/// its Complete accepts a copied part's ETag only in that form, so pass it on untouched.
/// </summary>
public sealed record CopyResult(string ETag, DateTimeOffset LastModified);

public sealed record CompletedPart(int PartNumber, string ETag);
