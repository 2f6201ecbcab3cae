using FastS3.Basics;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// ListBuckets' query (AWS's 2024 additions, which boto3's paginator sends): max-buckets (1 to
/// 10 000), continuation-token (the last name of the previous page, so a bucket name), prefix and
/// bucket-region, decoded into the caller's storage.
/// </summary>
internal readonly ref struct ListBucketsParameters
{
    public const int MaxMaxBuckets = 10_000;

    /// <summary>Bytes of storage <see cref="Parse"/> needs: each text is at most a bucket name long, or it can name nothing.</summary>
    public const int StorageLength = 3 * BucketName.MaxLength;

    private static readonly S3Error InvalidMaxBuckets = new(400, "InvalidArgument", "max-buckets must be an integer from 1 to 10000.");
    private static readonly S3Error InvalidToken = new(400, "InvalidArgument", "The continuation token provided is incorrect.");
    private static readonly S3Error InvalidPrefix = new(400, "InvalidArgument", "prefix must be UTF-8 and at most as long as a bucket name.");
    private static readonly S3Error InvalidRegion = new(400, "InvalidArgument", "bucket-region is not a region name.");

    public int MaxBuckets { get; init; }

    /// <summary>The last name of the previous page; empty when none was given (a token is never empty).</summary>
    public ReadOnlySpan<byte> Token { get; init; }

    public ReadOnlySpan<byte> Prefix { get; init; }

    /// <summary>Empty when none was given (an empty one is refused).</summary>
    public ReadOnlySpan<byte> Region { get; init; }

    public static S3Error? Parse(ReadOnlySpan<byte> query, Span<byte> storage, out ListBucketsParameters parameters)
    {
        parameters = new ListBucketsParameters { MaxBuckets = MaxMaxBuckets };
        if (query.IsEmpty)
        {
            return null;
        }

        int maxBuckets = MaxMaxBuckets;
        Span<byte> digits = stackalloc byte[16];
        if (QueryString.TryGet(query, "max-buckets"u8, digits, out int length)
            && (length <= 0 || !int.TryParse(digits[..length], System.Globalization.NumberStyles.None, null, out maxBuckets) || maxBuckets is < 1 or > MaxMaxBuckets))
        {
            return InvalidMaxBuckets;
        }

        Span<byte> token = storage[..BucketName.MaxLength];
        bool hasToken = QueryString.TryGet(query, "continuation-token"u8, token, out int tokenLength);
        if (hasToken && (tokenLength < 0 || !BucketName.IsValid(token[..tokenLength])))
        {
            return InvalidToken;
        }

        Span<byte> prefix = storage.Slice(BucketName.MaxLength, BucketName.MaxLength);
        if (!ListingParameters.TryGetText(query, "prefix"u8, prefix, out int prefixLength))
        {
            return InvalidPrefix;
        }

        Span<byte> region = storage.Slice(2 * BucketName.MaxLength, BucketName.MaxLength);
        bool hasRegion = QueryString.TryGet(query, "bucket-region"u8, region, out int regionLength);
        if (hasRegion && regionLength <= 0)
        {
            return InvalidRegion;
        }

        parameters = new ListBucketsParameters
        {
            MaxBuckets = maxBuckets,
            Token = hasToken ? token[..tokenLength] : default,
            Prefix = prefix[..prefixLength],
            Region = hasRegion ? region[..regionLength] : default,
        };
        return null;
    }
}
