using System.Security.Cryptography;
using FastS3.Crypto;
using FastS3.Storage;
using FastS3.Storage.Disk.Index;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// Small objects live inside their index record (no data file): they read back whole, by range and
/// through copies, plain and SSE-C, the limit is exact, and an inline SSE-C object's bytes are
/// ciphertext that fails closed when tampered with.
/// </summary>
public sealed class InlineObjectTests
{
    private static readonly int Limit = new StoreOptions().InlineLimit;
    private static readonly string[] Key = SseCTests.Triple();

    [Fact]
    public async Task SmallObjectsKeepNoDataFileAndReadBackWhole()
    {
        // Plain objects by default: the limit is on stored bytes, which SSE-S3 would make larger.
        await using InProcessServer server = await InProcessServer.StartAsync(extraArguments: ["--default-encryption", "none"]);
        await CreateBucketAsync(server, "bucket");
        byte[] atLimit = RandomNumberGenerator.GetBytes(Limit);
        byte[] overLimit = RandomNumberGenerator.GetBytes(Limit + 1);
        byte[] encrypted = RandomNumberGenerator.GetBytes((int)(Limit - SegmentFormat.StoredSize(0)));

        await PutObjectAsync(server, "bucket", "at-limit", atLimit);
        await PutObjectAsync(server, "bucket", "encrypted", encrypted, Key);
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));
        await PutObjectAsync(server, "bucket", "over-limit", overLimit);
        Assert.Equal(1, server.Stored.DataItemCount("bucket"));

        Assert.Equal(atLimit, (await GetAsync(server, "bucket", "at-limit")).Body);
        Assert.Equal(overLimit, (await GetAsync(server, "bucket", "over-limit")).Body);
        Assert.Equal(encrypted, (await GetAsync(server, "bucket", "encrypted", "", Key)).Body);
        Assert.Equal(atLimit[100..200], (await GetAsync(server, "bucket", "at-limit", "", "Range:bytes=100-199")).Body);
        Assert.Equal(encrypted[4560..], (await GetAsync(server, "bucket", "encrypted", "", [.. Key, "Range:bytes=4560-"])).Body);
        S3Assert.Error(await GetAsync(server, "bucket", "encrypted"), 400, "InvalidRequest");

        // Copies of small objects are small objects too; replacing or deleting them leaves no file behind.
        S3Assert.Status(await SignedRequests.SendAsync(server, "PUT", "/bucket/copy", [], ["x-amz-copy-source:/bucket/encrypted", .. CopySourceKey(), .. Key]), 200);
        Assert.Equal(encrypted, (await GetAsync(server, "bucket", "copy", "", Key)).Body);
        await PutObjectAsync(server, "bucket", "over-limit", "now small"u8.ToArray());
        S3Assert.Status(await SignedRequests.SendAsync(server, "DELETE", "/bucket/at-limit", []), 204);
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));
        Assert.Equal("now small"u8.ToArray(), (await GetAsync(server, "bucket", "over-limit")).Body);
    }

    [Trait("Store", "Disk")]
    [Fact]
    public async Task TamperedInlineCiphertextIsNeverServed()
    {
        string dataDir, certs;
        byte[] secret = System.Text.Encoding.ASCII.GetBytes("the small secret, inline");
        byte[] probe = "plain and whole"u8.ToArray();
        await using (InProcessServer server = await InProcessServer.StartAsync())
        {
            await CreateBucketAsync(server, "bucket");
            await PutObjectAsync(server, "bucket", "k", secret, Key);
            await PutObjectAsync(server, "bucket", "probe", probe);
            dataDir = server.DataDir;
            certs = server.CertsDir;
            server.KeepDataDir = true;
        }

        // Flip one bit of the stored stream inside the record while the server is down.
        await using (var index = OrderedIndex.Open(Path.Combine(dataDir, "buckets", "bucket", "index")))
        {
            index.TryGet("k"u8, out byte[]? record);
            ReadOnlyMemory<byte> inline = ObjectRecord.FieldMemory(record!, RecordField.InlineData);
            Assert.Equal(SegmentFormat.StoredSize(secret.Length), inline.Length);
            System.Runtime.InteropServices.MemoryMarshal.TryGetArray(inline, out ArraySegment<byte> stored);
            record![stored.Offset + stored.Count - 20] ^= 0x01;
            await index.PutAsync("k"u8.ToArray(), record);
        }

        // An inline object is decrypted whole before the answer starts: refused, and the server serves on.
        await using InProcessServer restarted = await InProcessServer.StartAsync(certsDir: certs, dataDir: dataDir);
        byte[] body = await TamperedReads.AssertAsync(restarted, "/bucket/k", Key, TamperedRead.Refused, secret, ("/bucket/probe", probe), "inline bit flip");
        Assert.DoesNotContain("small secret", System.Text.Encoding.ASCII.GetString(body), StringComparison.Ordinal);
    }

    private static string[] CopySourceKey()
        => [.. Key.Select(header => "x-amz-copy-source-" + header["x-amz-".Length..])];
}
