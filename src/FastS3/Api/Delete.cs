using System.Runtime.CompilerServices;
using FastS3.Storage;
using FastS3.Storage.Index;

namespace FastS3.Api;

/// <summary>DeleteObject: removes the key from the index, then its data file. Deleting a missing key succeeds, as in S3.</summary>
public sealed class Delete(Store store)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> DeleteObjectAsync(S3Call call)
    {
        Bucket? bucket = store.FindBucket(call.BucketName);
        if (bucket is null)
        {
            return S3Errors.NoSuchBucket;
        }

        if (!call.TryDecodeKey())
        {
            return S3Errors.KeyTooLong;
        }

        IndexWriteResult result = await bucket.Index.DeleteAsync(call.Key.ToArray());
        Put.DeleteDataOf(bucket, result.Previous);
        call.Response.StatusCode = 204;
        return null;
    }
}
