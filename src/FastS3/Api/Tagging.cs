using System.Runtime.CompilerServices;
using FastS3.Basics;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// GetObjectTagging, PutObjectTagging, DeleteObjectTagging, GetBucketTagging, PutBucketTagging and
/// DeleteBucketTagging, and the tags a write sets (x-amz-tagging, x-amz-tagging-directive). An
/// object's tags live in its record, in the clear: S3 reads and sets the tags of an SSE-C object
/// without its key, as metadata, not content. Setting them rewrites that record alone, never the
/// data. A bucket's tag set is a record of its own in the bucket's index.
/// </summary>
public sealed class Tagging(Store store)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> GetObjectTaggingAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        ReadOnlyMemory<byte> value = await bucket.FindObjectAsync(call.KeyMemory);
        if (!ObjectRecord.TryRead(value.Span, out ObjectRecord record))
        {
            return S3Errors.NoSuchKey;
        }

        TagSet.Write(call.Response, record.Field(RecordField.Tags));
        return null;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> PutObjectTaggingAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        (S3Error? invalid, byte[] tags) = await ReadDocumentAsync(call, forBucket: false);
        return invalid ?? await SetObjectTagsAsync(call, bucket, tags, status: 200);
    }

    public ValueTask<S3Error?> DeleteObjectTaggingAsync(S3Call call)
        => call.ResolveObject(store, out Bucket bucket) is { } missing
            ? ValueTask.FromResult<S3Error?>(missing)
            : SetObjectTagsAsync(call, bucket, [], status: 204);

    public ValueTask<S3Error?> GetBucketTaggingAsync(S3Call call)
    {
        Bucket? bucket = store.FindBucket(call.BucketName);
        if (bucket is null)
        {
            return ValueTask.FromResult<S3Error?>(S3Errors.NoSuchBucket);
        }

        if (!bucket.TryGetTags(out byte[]? tags))
        {
            return ValueTask.FromResult<S3Error?>(S3Errors.NoSuchTagSet);
        }

        TagSet.Write(call.Response, tags);
        return ValueTask.FromResult<S3Error?>(null);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> PutBucketTaggingAsync(S3Call call)
    {
        Bucket? bucket = store.FindBucket(call.BucketName);
        if (bucket is null)
        {
            return S3Errors.NoSuchBucket;
        }

        (S3Error? invalid, byte[] tags) = await ReadDocumentAsync(call, forBucket: true);
        return invalid ?? await SetBucketTagsAsync(call, bucket, tags);
    }

    public ValueTask<S3Error?> DeleteBucketTaggingAsync(S3Call call)
        => store.FindBucket(call.BucketName) is { } bucket
            ? SetBucketTagsAsync(call, bucket, [])
            : ValueTask.FromResult<S3Error?>(S3Errors.NoSuchBucket);

    /// <summary>
    /// A copy's tags: the source's with x-amz-tagging-directive COPY (the default), when x-amz-tagging
    /// is not read; x-amz-tagging's with REPLACE. (PutObject and CreateMultipartUpload take
    /// x-amz-tagging alone: <see cref="TagSet.ParseHeader"/>.)
    /// </summary>
    public static S3Error? ForCopy(S3Call call, in ObjectRecord source, out byte[] tags)
    {
        tags = [];
        bool replace = false;
        if (call.Request.Headers.TryGetValue("x-amz-tagging-directive"u8, out ReadOnlySpan<byte> directive))
        {
            replace = directive.SequenceEqual("REPLACE"u8);
            if (!replace && !directive.SequenceEqual("COPY"u8))
            {
                return S3Errors.InvalidTaggingDirective;
            }
        }

        if (replace)
        {
            return TagSet.ParseHeader(call.Request.Headers, out tags);
        }

        tags = source.Field(RecordField.Tags).ToArray();
        return null;
    }

    /// <summary>The Tagging document of PutObjectTagging or PutBucketTagging, in stored form once it passes S3's rules.</summary>
    private static async ValueTask<(S3Error? Error, byte[] Tags)> ReadDocumentAsync(S3Call call, bool forBucket)
    {
        // S3 requires a digest of a bucket's tags, not of an object's.
        (S3Error? error, ReadOnlyMemory<byte> body) = await RequestBody.ReadVerifiedAsync(call, TagSet.MaxDocumentSize, digestRequired: forBucket);
        byte[] tags = [];
        return (error ?? TagSet.ParseDocument(body, forBucket, out tags), tags);
    }

    private static async ValueTask<S3Error?> SetObjectTagsAsync(S3Call call, Bucket bucket, byte[] tags, int status)
    {
        switch (await bucket.SetObjectTagsAsync(call.Key.ToArray(), tags))
        {
            case TagUpdate.NoSuchObject:
                return S3Errors.NoSuchKey;
            case TagUpdate.Contended:
                return S3Errors.OperationAborted;
        }

        call.Response.StatusCode = status;
        call.Response.ContentLength = 0;
        return null;
    }

    /// <summary>PutBucketTagging and DeleteBucketTagging both answer 204, as S3 does.</summary>
    private static async ValueTask<S3Error?> SetBucketTagsAsync(S3Call call, Bucket bucket, byte[] tags)
    {
        // DeleteBucket may have removed the bucket since it was found.
        if (bucket.IsDeleted)
        {
            return S3Errors.NoSuchBucket;
        }

        await bucket.SetTagsAsync(tags);
        call.Response.StatusCode = 204;
        return null;
    }
}
