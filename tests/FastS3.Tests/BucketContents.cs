using System.Globalization;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using FastS3.Basics;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// What a bucket holds as the S3 API lists it (every page), and the check that the data items in
/// the store are exactly what that needs: nothing torn, half-written or orphaned left behind.
/// </summary>
internal static class BucketContents
{
    private const int MaxPages = 1000;

    public static async Task<List<S3Object>> ListObjectsAsync(AmazonS3Client client, string bucket)
    {
        var objects = new List<S3Object>();
        var request = new ListObjectsV2Request { BucketName = bucket };
        for (int page = 0; page < MaxPages; page++)
        {
            ListObjectsV2Response response = await client.ListObjectsV2Async(request);
            objects.AddRange(response.S3Objects ?? []);
            if (response.IsTruncated != true)
            {
                return objects;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }

        throw new InvalidOperationException($"{bucket}: more than {MaxPages} pages of objects");
    }

    public static async Task<List<(string Key, string UploadId)>> ListUploadsAsync(AmazonS3Client client, string bucket)
    {
        var uploads = new List<(string, string)>();
        var request = new ListMultipartUploadsRequest { BucketName = bucket };
        for (int page = 0; page < MaxPages; page++)
        {
            ListMultipartUploadsResponse response = await client.ListMultipartUploadsAsync(request);
            uploads.AddRange((response.MultipartUploads ?? []).Select(upload => (upload.Key, upload.UploadId)));
            if (response.IsTruncated != true)
            {
                return uploads;
            }

            request.KeyMarker = response.NextKeyMarker;
            request.UploadIdMarker = response.NextUploadIdMarker;
        }

        throw new InvalidOperationException($"{bucket}: more than {MaxPages} pages of uploads");
    }

    public static async Task<List<PartDetail>> ListPartsAsync(AmazonS3Client client, string bucket, string key, string uploadId)
    {
        ListPartsResponse response = await client.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = key, UploadId = uploadId });
        Assert.NotEqual(true, response.IsTruncated);
        return response.Parts ?? [];
    }

    /// <summary>
    /// Counts the bucket's data items from outside: each object needs 1 (single stream; none when
    /// small enough to live inline in its record) or its part table and its N parts (ETag "…-N"),
    /// each open upload one per part. Nothing else may be there, nor any unfinished write.
    /// </summary>
    public static async Task AssertDataItemsAsync(AmazonS3Client client, StoredData stored, string bucket, string when)
    {
        var expected = new List<(string What, int Items)>();
        foreach (S3Object item in await ListObjectsAsync(client, bucket))
        {
            string etag = item.ETag.Trim('"');
            int dash = etag.IndexOf('-', StringComparison.Ordinal);
            int needed = dash >= 0 ? 1 + int.Parse(etag[(dash + 1)..], CultureInfo.InvariantCulture)
                : await IsInlineAsync(client, bucket, item) ? 0 : 1;
            expected.Add((item.Key, needed));
        }

        foreach ((string key, string uploadId) in await ListUploadsAsync(client, bucket))
        {
            expected.Add(($"upload {uploadId} of {key}", (await ListPartsAsync(client, bucket, key, uploadId)).Count));
        }

        int wanted = expected.Sum(entry => entry.Items);
        int held = stored.DataItemCount(bucket);
        Assert.True(held == wanted, $"{when}: {held} data items stored, the objects and uploads need {wanted} ({string.Join("; ", expected.Where(e => e.Items > 0).Select(e => $"{e.What}: {e.Items}"))})");
        Assert.Empty(stored.UnfinishedWrites());
    }

    /// <summary>
    /// Whether a single-stream object's stored bytes fit in its record: its plaintext size, or for
    /// SSE-C (a HEAD without the key is refused) the size of its encrypted stream.
    /// </summary>
    private static async Task<bool> IsInlineAsync(AmazonS3Client client, string bucket, S3Object item)
    {
        long size = item.Size ?? 0;
        int limit = new FastS3.Storage.StoreOptions().InlineLimit;
        if (size > limit)
        {
            return false;
        }

        try
        {
            await client.GetObjectMetadataAsync(bucket, item.Key);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.BadRequest)
        {
            return FastS3.Crypto.SegmentFormat.StoredSize(size) <= limit;
        }
    }
}
