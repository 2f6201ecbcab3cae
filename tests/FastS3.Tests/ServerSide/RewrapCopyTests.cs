using System.Security.Cryptography;
using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Tests.ServerSide.EncryptionModes;

namespace FastS3.Tests.ServerSide;

/// <summary>
/// CopyObject of an encrypted object onto itself to another mode or key only seals its data key
/// again: every data item stays as it was, byte for byte, the object reads (ranges too) in its new
/// mode, the ETag follows S3's rule, and no plaintext reaches the store. The exception: a
/// single-part SSE-C/KMS object going SSE-S3 has no content MD5 to keep, so its data is copied.
/// </summary>
public sealed class RewrapCopyTests : CopyModesTestBase
{
    private static readonly EncryptionMode[] Encrypted = [EncryptionMode.SseC, EncryptionMode.SseS3, EncryptionMode.SseKms];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OntoItselfOnlyTheWrappingChanges(bool multipart)
    {
        // SSE-KMS objects start under alias/aws/s3 and move to a key of their own.
        var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(Server.BaseUrl, "kms", "create-key");
        Assert.True(exit == 0, stderr);
        string kmsKey = JsonDocument.Parse(stdout).RootElement.GetProperty("KeyMetadata").GetProperty("KeyId").GetString()!;
        var keys = new CustomerKeys(2);
        foreach (EncryptionMode source in Encrypted)
        {
            foreach (EncryptionMode target in Encrypted)
            {
                await CopyOntoItselfAsync(source, target, multipart, keys, kmsKey);
            }
        }
    }

    [Fact]
    public async Task ANewContextIsARewrapAndReplacedMetadataACopy()
    {
        byte[] content = RandomNumberGenerator.GetBytes(100_000);
        var keys = new CustomerKeys(2);
        await WriteAsync(Server, "object", content, EncryptionMode.SseKms, keys, multipart: false);
        List<(DataItem Item, byte[] Bytes)> stored = Snapshot();
        string context = Convert.ToBase64String("{\"a\":\"b\"}"u8);
        string[] onto = ["x-amz-copy-source:bucket/object", "x-amz-server-side-encryption:aws:kms"];
        RawResponse copy = await SignedRequests.SendAsync(Server, "PUT", "/bucket/object", [], [.. onto, $"x-amz-server-side-encryption-context:{context}"]);
        Assert.True(copy.Status == 200, copy.Describe());
        Assert.Equal(context, copy.Headers["x-amz-server-side-encryption-context"]);
        AssertUntouched(stored, "new context");

        RawResponse replaced = await SignedRequests.SendAsync(Server, "PUT", "/bucket/object", [], [.. onto, "x-amz-metadata-directive:REPLACE", "Content-Type:text/x-new"]);
        Assert.True(replaced.Status == 200, replaced.Describe());
        Assert.NotEqual(stored.Select(item => item.Item), Snapshot().Select(item => item.Item));
        await AssertReadsAsync("object", EncryptionMode.SseKms, content, keys, "REPLACE");
    }

    private async Task CopyOntoItselfAsync(EncryptionMode source, EncryptionMode target, bool multipart, CustomerKeys keys, string kmsKey)
    {
        string what = $"{source} → {target}";
        string key = $"self-{source}-{target}";
        byte[] content = RandomNumberGenerator.GetBytes(multipart ? PartSize + 70_000 : (1024 * 1024) + 1);
        string before = await WriteAsync(Server, key, content, source, keys, multipart);
        List<(DataItem Item, byte[] Bytes)> stored = Snapshot();

        RawResponse copy = await SignedRequests.SendAsync(Server, "PUT", $"/bucket/{key}", [],
            [$"x-amz-copy-source:bucket/{key}", .. CopySourceHeaders(source, keys), .. WriteHeaders(target, keys, 1, kmsKey)]);
        Assert.True(copy.Status == 200, $"{what}: {copy.Describe()}");
        AssertEchoes(target, copy, what);
        string after = copy.XmlValue("ETag");
        if (!multipart && source != EncryptionMode.SseS3 && target == EncryptionMode.SseS3)
        {
            // No content MD5 to keep: the data is copied, which computes it.
            Assert.NotEqual(stored.Select(item => item.Item), Snapshot().Select(item => item.Item));
            AssertETag(target, after, content, what);
        }
        else
        {
            AssertUntouched(stored, what);
            bool keepsETag = multipart || (source == EncryptionMode.SseS3) == (target == EncryptionMode.SseS3);
            Assert.True(keepsETag == (after == before), $"{what}: ETag {before} → {after}");
            if (!multipart)
            {
                AssertETag(target, after, content, what);
            }
        }

        if (target == EncryptionMode.SseKms)
        {
            Assert.EndsWith($":key/{kmsKey}", copy.Headers["x-amz-server-side-encryption-aws-kms-key-id"]);
        }

        await AssertReadsAsync(key, target, content, keys, what);
        await AssertRangesAsync(key, target, content, keys, what);
        if (source == EncryptionMode.SseC && target == EncryptionMode.SseC)
        {
            Assert.Equal(403, (await RawMultipart.GetAsync(Server, "bucket", key, "", ReadHeaders(source, keys, 0))).Status);
        }

        Assert.DoesNotContain(Server.Stored.DataItems("bucket"), item => Contains(Server.Stored.Read("bucket", item), content.AsSpan(0, 64)));
    }

    private async Task AssertRangesAsync(string key, EncryptionMode mode, byte[] content, CustomerKeys keys, string what)
    {
        // Across a segment boundary, across the part boundary (or near the end), and the last byte.
        foreach ((int first, int last) in new[] { (65530, 65545), (PartSize - 10, PartSize + 9), (content.Length - 1, content.Length - 1) }.Where(range => range.Item2 < content.Length))
        {
            RawResponse range = await RawMultipart.GetAsync(Server, "bucket", key, "", [$"Range:bytes={first}-{last}", .. ReadHeaders(mode, keys, 1)]);
            Assert.True(range.Status == 206, $"{what} {first}-{last}: {range.Describe()}");
            Assert.True(content.AsSpan(first, last - first + 1).SequenceEqual(range.Body), $"{what} {first}-{last}: other bytes");
        }
    }

    private List<(DataItem Item, byte[] Bytes)> Snapshot() => [.. Server.Stored.DataItems("bucket").Select(item => (item, Server.Stored.Read("bucket", item)))];

    /// <summary>The same data items as in <paramref name="stored"/>: names, write times and bytes.</summary>
    private void AssertUntouched(List<(DataItem Item, byte[] Bytes)> stored, string what)
    {
        List<(DataItem Item, byte[] Bytes)> now = Snapshot();
        Assert.True(stored.Select(item => item.Item).SequenceEqual(now.Select(item => item.Item)), $"{what}: other data items");
        Assert.True(stored.Zip(now).All(pair => pair.First.Bytes.AsSpan().SequenceEqual(pair.Second.Bytes)), $"{what}: data items rewritten");
    }
}
