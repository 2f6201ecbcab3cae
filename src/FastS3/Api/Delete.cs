using System.Runtime.CompilerServices;
using FastS3.Basics;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>DeleteObject: removes the object, record first, then its data. Deleting a missing key succeeds, as in S3.</summary>
public sealed class Delete(Store store)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> DeleteObjectAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        await bucket.DeleteObjectAsync(call.KeyMemory);
        call.Response.StatusCode = 204;
        return null;
    }
}
