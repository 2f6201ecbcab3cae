using System.Runtime.CompilerServices;
using FastS3.Basics;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>DeleteObject: removes the key from the index, then its data file. Deleting a missing key succeeds, as in S3.</summary>
public sealed class Delete(Store store)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> DeleteObjectAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        RecordWrite result = await bucket.Objects.DeleteAsync(call.Key.ToArray());
        await bucket.DeleteDataOfAsync(result.Previous);
        call.Response.StatusCode = 204;
        return null;
    }
}
