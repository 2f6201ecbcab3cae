using System.Net;
using System.Text;
using FastS3.Upstream;

namespace FastS3.Tests.Upstream;

/// <summary>Single-object requests of the upstream client against the real Ceph RGW.</summary>
[Collection(RgwCollection.Name)]
public sealed class UpstreamObjectTests(RgwFixture rgw)
{
    /// <summary>Keys that break a naive path or query encoder, and the longest key S3 allows.</summary>
    public static readonly byte[][] OddKeys =
    [
        .. new[] { "with space", "plus+sign", "per%cent", "question?mark", "hash#tag", "unicodé/日本語/🙂", "a//b", "trailing/", "/leading", "semi;colon=eq&amp", "tilde~under_score-dot.", "quote\"'<>", "dots/./x", "dots/../y", ".." }
            .Select(Encoding.UTF8.GetBytes),
        Encoding.UTF8.GetBytes(new string('k', 1023) + "/"),
    ];

    [RgwFact]
    public async Task OddKeys_RoundTrip_Through_Put_Head_Get_List_Delete()
    {
        await rgw.InBucketAsync("oddkeys", async (client, bucket) =>
        {
            foreach (byte[] key in OddKeys)
            {
                byte[] body = [.. key, .. "!"u8];
                string etag = await client.PutObjectAsync(bucket, key, body);
                ObjectInfo head = await client.HeadObjectAsync(bucket, key);
                Assert.Equal(body.Length, head.ContentLength);
                Assert.Equal(etag, head.ETag);
                Assert.Equal(body, await ReadAllAsync(client, bucket, key));
            }

            ListObjectsPage page = await client.ListObjectsAsync(bucket, new ListObjectsQuery());
            Assert.Equal(OddKeys.Select(Convert.ToHexString).Order(StringComparer.Ordinal), page.Objects.Select(o => Convert.ToHexString(o.Key.Span)));

            foreach (byte[] key in OddKeys)
            {
                await client.DeleteObjectAsync(bucket, key);
                UpstreamException missing = await Assert.ThrowsAsync<UpstreamException>(() => client.HeadObjectAsync(bucket, key));
                Assert.Equal(HttpStatusCode.NotFound, missing.Status);
            }
        });
    }

    [RgwFact]
    public async Task PlainHttp_Endpoint_Works_Too()
    {
        await rgw.InBucketAsync("http", async (client, bucket) =>
        {
            await client.PutObjectAsync(bucket, "k"u8.ToArray(), "over http"u8.ToArray());
            Assert.Equal("over http"u8.ToArray(), await ReadAllAsync(client, bucket, "k"u8.ToArray()));
            Assert.Contains(await client.ListBucketsAsync(), b => b.Name == bucket);
        }, rgw.HttpUrl);
    }

    [RgwFact]
    public async Task Metadata_ContentType_Range_And_Conditions()
    {
        await rgw.InBucketAsync("meta", async (client, bucket) =>
        {
            byte[] key = "dir/meta object"u8.ToArray();
            byte[] body = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 1000).Select(i => (char)('a' + (i % 26)))));
            string etag = await client.PutObjectAsync(bucket, key, body, new PutOptions
            {
                ContentType = "text/x-fasts3",
                Metadata = [new("Wrapped-Key", "AAECAwQF+/="), new("plain_name", "v 1")],
            });

            ObjectInfo head = await client.HeadObjectAsync(bucket, key);
            Assert.Equal("text/x-fasts3", head.ContentType);
            // RGW quirk: an '_' in a metadata name comes back as '-' (the name passes through a CGI-style variable).
            Assert.Equal([new("plain-name", "v 1"), new("wrapped-key", "AAECAwQF+/=")], head.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal));
            Assert.NotNull(head.LastModified);

            await using (UpstreamObject ranged = await client.GetObjectAsync(bucket, key, new GetOptions { Range = (100, 199), IfMatch = etag }))
            {
                Assert.Equal(HttpStatusCode.PartialContent, ranged.Info.Status);
                Assert.Equal(100, ranged.Info.ContentLength);
                Assert.Equal(1000, ranged.Info.TotalLength);
                Assert.Equal(body[100..200], await ReadAllAsync(ranged));
            }

            await using (UpstreamObject tail = await client.GetObjectAsync(bucket, key, new GetOptions { Range = (990, null) }))
            {
                Assert.Equal(body[990..], await ReadAllAsync(tail));
            }

            UpstreamException mismatch = await Assert.ThrowsAsync<UpstreamException>(() => client.GetObjectAsync(bucket, key, new GetOptions { IfMatch = "\"0123456789abcdef0123456789abcdef\"" }));
            Assert.Equal((HttpStatusCode.PreconditionFailed, "PreconditionFailed"), (mismatch.Status, mismatch.Code));
            UpstreamException headMismatch = await Assert.ThrowsAsync<UpstreamException>(() => client.HeadObjectAsync(bucket, key, new GetOptions { IfMatch = "\"nope\"" }));
            Assert.Equal(HttpStatusCode.PreconditionFailed, headMismatch.Status);
        });
    }

    /// <summary>
    /// What Ceph 16.2 does with conditional PUTs: recorded here, since the gateway cannot rely on the
    /// upstream for create-only writes if it ignores them.
    /// </summary>
    [RgwFact]
    public async Task ConditionalPut_As_Rgw16_Does_It()
    {
        await rgw.InBucketAsync("condput", async (client, bucket) =>
        {
            byte[] key = "exists"u8.ToArray();
            string first = await client.PutObjectAsync(bucket, key, "first"u8.ToArray(), new PutOptions { IfNoneMatch = "*" });
            Exception? noneMatch = await Record.ExceptionAsync(() => client.PutObjectAsync(bucket, key, "second"u8.ToArray(), new PutOptions { IfNoneMatch = "*" }));
            Exception? match = await Record.ExceptionAsync(() => client.PutObjectAsync(bucket, key, "third"u8.ToArray(), new PutOptions { IfMatch = "\"00000000000000000000000000000000\"" }));
            byte[] now = await ReadAllAsync(client, bucket, key);
            string seen = $"if-none-match *: {Describe(noneMatch)}; if-match wrong: {Describe(match)}; content now: {Encoding.ASCII.GetString(now)}";
            Assert.True(seen == RgwConditionalPut, seen);

            // RGW 16.2 quirk: If-Match on PUT matches only the unquoted ETag.
            Assert.Equal(HttpStatusCode.PreconditionFailed, (await Assert.ThrowsAsync<UpstreamException>(() => client.PutObjectAsync(bucket, key, "x"u8.ToArray(), new PutOptions { IfMatch = first }))).Status);
            await client.PutObjectAsync(bucket, key, "fourth"u8.ToArray(), new PutOptions { IfMatch = first.Trim('"') });
            Assert.Equal("fourth"u8.ToArray(), await ReadAllAsync(client, bucket, key));
        });
    }

    /// <summary>Ceph 16.2.15 honours both on PUT: a create-only write can be left to it.</summary>
    private const string RgwConditionalPut = "if-none-match *: 412 PreconditionFailed; if-match wrong: 412 PreconditionFailed; content now: first";

    private static string Describe(Exception? e) => e switch
    {
        null => "stored",
        UpstreamException u => $"{(int)u.Status} {u.Code}",
        _ => e.GetType().Name,
    };

    internal static async Task<byte[]> ReadAllAsync(UpstreamClient client, string bucket, byte[] key, GetOptions? options = null)
    {
        await using UpstreamObject o = await client.GetObjectAsync(bucket, key, options);
        return await ReadAllAsync(o);
    }

    internal static async Task<byte[]> ReadAllAsync(UpstreamObject o)
    {
        using var all = new MemoryStream();
        byte[] buffer = new byte[64 << 10];
        int n;
        while ((n = await o.ReadAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        return all.ToArray();
    }
}
