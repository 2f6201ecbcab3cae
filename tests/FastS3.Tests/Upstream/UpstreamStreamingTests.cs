using System.Net;
using System.Security.Cryptography;
using FastS3.Upstream;
using Xunit.Abstractions;

namespace FastS3.Tests.Upstream;

/// <summary>Streamed PUTs: bounded memory for a large body, and nothing stored when one is abandoned.</summary>
[Collection(RgwCollection.Name)]
public sealed class UpstreamStreamingTests(RgwFixture rgw, ITestOutputHelper output)
{
    private const int Size = 64 << 20;

    [RgwFact]
    public async Task A_64MiB_Put_Streams_With_Bounded_Memory()
    {
        await rgw.InBucketAsync("stream", async (client, bucket) =>
        {
            // Warm the connection pool and TLS first, so the count below is the body's alone.
            await client.PutObjectAsync(bucket, "warm"u8.ToArray(), new byte[100]);
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            string etag;
            await using (UpstreamUpload upload = client.StartPutObject(bucket, "big"u8.ToArray(), Size))
            {
                for (int round = 0; upload.Written < Size && round < Size; round++)
                {
                    Memory<byte> memory = upload.GetMemory(32 << 10);
                    int n = (int)Math.Min(memory.Length, Size - upload.Written);
                    Fill(memory.Span[..n], upload.Written);
                    md5.AppendData(memory.Span[..n]);
                    await upload.AdvanceAsync(n);
                }

                etag = await upload.CompleteAsync();
            }

            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            output.WriteLine($"64 MiB streamed PUT allocated {allocated / 1024} KiB");
            Assert.True(allocated < 4 << 20, $"the client allocated {allocated} bytes for a {Size}-byte body");
            Assert.Equal($"\"{Convert.ToHexStringLower(md5.GetHashAndReset())}\"", etag);

            await using UpstreamObject read = await client.GetObjectAsync(bucket, "big"u8.ToArray());
            Assert.Equal(Size, read.Info.ContentLength);
            byte[] buffer = new byte[1 << 20], expected = new byte[1 << 20];
            long offset = 0;
            for (int n; (n = await read.ReadAsync(buffer)) > 0 && offset < Size; offset += n)
            {
                Fill(expected.AsSpan(0, n), offset);
                Assert.True(buffer.AsSpan(0, n).SequenceEqual(expected.AsSpan(0, n)), $"bytes differ in [{offset}, {offset + n})");
            }

            Assert.Equal(Size, offset);
        });
    }

    [RgwFact]
    public async Task An_Abandoned_Put_Stores_Nothing_And_The_Client_Goes_On()
    {
        await rgw.InBucketAsync("abort", async (client, bucket) =>
        {
            await using (UpstreamUpload upload = client.StartPutObject(bucket, "half"u8.ToArray(), 8 << 20))
            {
                await upload.WriteAsync(new byte[3 << 20]);
            }

            UpstreamException missing = await Assert.ThrowsAsync<UpstreamException>(() => client.HeadObjectAsync(bucket, "half"u8.ToArray()));
            Assert.Equal(HttpStatusCode.NotFound, missing.Status);

            // Writing past the declared length is refused before anything goes out.
            await using (UpstreamUpload upload = client.StartPutObject(bucket, "over"u8.ToArray(), 10))
            {
                await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => upload.WriteAsync(new byte[11]).AsTask());
            }

            Assert.Empty((await client.ListObjectsAsync(bucket, new ListObjectsQuery())).Objects);
            await client.PutObjectAsync(bucket, "after"u8.ToArray(), "ok"u8.ToArray());
        });
    }

    /// <summary>
    /// RGW refuses an If-None-Match:* PUT of an existing key while the body is still coming: the error
    /// reaches the writer (from a write or from Complete) instead of leaving it waiting on a full pipe.
    /// </summary>
    [RgwFact]
    public async Task An_Early_Refusal_Reaches_The_Writer()
    {
        await rgw.InBucketAsync("early", async (client, bucket) =>
        {
            await client.PutObjectAsync(bucket, "taken"u8.ToArray(), "first"u8.ToArray());
            UpstreamException refused = await Assert.ThrowsAsync<UpstreamException>(async () =>
            {
                await using UpstreamUpload upload = client.StartPutObject(bucket, "taken"u8.ToArray(), 32 << 20, new PutOptions { IfNoneMatch = "*" });
                byte[] block = new byte[1 << 20];
                for (int i = 0; i < 32; i++)
                {
                    await upload.WriteAsync(block);
                }

                await upload.CompleteAsync();
            });
            Assert.Equal(HttpStatusCode.PreconditionFailed, refused.Status);
            Assert.Equal("first"u8.ToArray(), await UpstreamObjectTests.ReadAllAsync(client, bucket, "taken"u8.ToArray()));
        });
    }

    /// <summary>Position-dependent bytes, so a lost, repeated or reordered block shows.</summary>
    private static void Fill(Span<byte> span, long offset)
    {
        for (int i = 0; i < span.Length; i++)
        {
            long p = offset + i;
            span[i] = (byte)((p * 31) ^ (p >> 12));
        }
    }
}
