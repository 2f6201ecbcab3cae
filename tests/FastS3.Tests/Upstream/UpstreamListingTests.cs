using System.Text;
using FastS3.Upstream;

namespace FastS3.Tests.Upstream;

/// <summary>ListObjectsV2 paging with odd keys, DeleteObjects, and CopyObject.</summary>
[Collection(RgwCollection.Name)]
public sealed class UpstreamListingTests(RgwFixture rgw)
{
    [RgwFact]
    public async Task Listing_Pages_With_Continuation_And_Delimiter_And_Keeps_Odd_Keys()
    {
        await rgw.InBucketAsync("list", async (client, bucket) =>
        {
            string[] names = ["p/a b", "p/a+b", "p/a%b", "p/ctrl\u0001x", "p/dir/one", "p/dir/two", "p/é", "p/z?#", "p/zz/", "q/other"];
            foreach (string name in names)
            {
                await client.PutObjectAsync(bucket, Encoding.UTF8.GetBytes(name), "x"u8.ToArray());
            }

            var keys = new List<string>();
            var prefixes = new List<string>();
            string? token = null;
            int pages = 0;
            do
            {
                ListObjectsPage page = await client.ListObjectsAsync(bucket, new ListObjectsQuery { Prefix = "p/"u8.ToArray(), Delimiter = "/", MaxKeys = 2, ContinuationToken = token });
                keys.AddRange(page.Objects.Select(o => Encoding.UTF8.GetString(o.Key.Span)));
                prefixes.AddRange(page.CommonPrefixes.Select(p => Encoding.UTF8.GetString(p.Span)));
                Assert.True(page.Objects.Count + page.CommonPrefixes.Count <= 2);
                token = page.IsTruncated ? page.NextContinuationToken : null;
            }
            while (token is not null && ++pages < 20);

            // In byte order, across pages.
            Assert.Equal(["p/a b", "p/a%b", "p/a+b", "p/ctrl\u0001x", "p/z?#", "p/é"], keys);
            Assert.Equal(["p/dir/", "p/zz/"], prefixes);
            Assert.True(pages >= 3, $"{pages + 1} pages");

            ListObjectsPage after = await client.ListObjectsAsync(bucket, new ListObjectsQuery { StartAfter = "p/z?#"u8.ToArray() });
            Assert.Equal(["p/zz/", "p/é", "q/other"], after.Objects.Select(o => Encoding.UTF8.GetString(o.Key.Span)));
            Assert.All(after.Objects, o => Assert.Equal((1L, "\"9dd4e461268c8034f5c8564e155c67a6\""), (o.Size, o.ETag)));

            List<DeleteFailure> failures = await client.DeleteObjectsAsync(bucket, [.. names.Select(n => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(n)), "never-there"u8.ToArray()]);
            Assert.Empty(failures);
            Assert.Empty((await client.ListObjectsAsync(bucket, new ListObjectsQuery())).Objects);
        });
    }

    [RgwFact]
    public async Task Copy_Replaces_Metadata_Only_If_The_Source_Still_Matches()
    {
        await rgw.InBucketAsync("copy", async (client, bucket) =>
        {
            byte[] source = "src key+?"u8.ToArray(), target = "dst/é"u8.ToArray();
            string etag = await client.PutObjectAsync(bucket, source, "payload"u8.ToArray(), new PutOptions { Metadata = [new("old", "1")] });

            CopyResult copied = await client.CopyObjectAsync(bucket, source, bucket, target, new CopyOptions { SourceIfMatch = etag, ReplaceMetadata = [new("new", "2")], ContentType = "text/plain" });
            Assert.Equal(etag.Trim('"'), copied.ETag.Trim('"'));
            ObjectInfo head = await client.HeadObjectAsync(bucket, target);
            Assert.Equal([new("new", "2")], head.Metadata);
            Assert.Equal("text/plain", head.ContentType);

            CopyResult kept = await client.CopyObjectAsync(bucket, source, bucket, "kept"u8.ToArray());
            Assert.Equal([new("old", "1")], (await client.HeadObjectAsync(bucket, "kept"u8.ToArray())).Metadata);
            Assert.NotEqual(default, kept.LastModified);

            UpstreamException stale = await Assert.ThrowsAsync<UpstreamException>(() => client.CopyObjectAsync(bucket, source, bucket, target, new CopyOptions { SourceIfMatch = "\"00000000000000000000000000000000\"" }));
            Assert.Equal(System.Net.HttpStatusCode.PreconditionFailed, stale.Status);
        });
    }
}
