using System.Security.Cryptography;
using FastS3.Testing;
using static FastS3.Tests.ServerSide.EncryptionModes;

namespace FastS3.Tests.ServerSide;

/// <summary>
/// Every mode to every mode, by CopyObject and by UploadPartCopy, from single-part and multipart
/// sources of sizes either side of a segment and of a part: the copy reads the same bytes, answers
/// in the destination's mode, and its ETag has the destination's form. The 16 pairs of a size run
/// at once, so the matrix costs what the bytes cost.
/// </summary>
public sealed class CopyMatrixTests : CopyModesTestBase
{
    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(1024 * 1024, false)]
    [InlineData((8 * 1024 * 1024) + 1, false)]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(1024 * 1024, true)]
    [InlineData((8 * 1024 * 1024) + 1, true)]
    public async Task CopyFromEveryModeToEveryMode(int size, bool multipartSource)
    {
        byte[] content = RandomNumberGenerator.GetBytes(size);
        var keys = new CustomerKeys(2);
        EncryptionMode[] modes = Enum.GetValues<EncryptionMode>();
        await Task.WhenAll(modes.Select(source => WriteAsync(Server, $"source-{source}", content, source, keys, multipartSource)));
        await Task.WhenAll(from source in modes from target in modes select CopyAsync(source, target, content, keys));
    }

    private async Task CopyAsync(EncryptionMode source, EncryptionMode target, byte[] content, CustomerKeys keys)
    {
        string what = $"{source} → {target}";
        string[] from = [$"x-amz-copy-source:bucket/source-{source}", .. CopySourceHeaders(source, keys)];
        RawResponse copy = await SignedRequests.SendAsync(Server, "PUT", $"/bucket/copy-{source}-{target}", [], [.. from, .. WriteHeaders(target, keys, 1)]);
        Assert.True(copy.Status == 200, $"{what}: {copy.Describe()}");
        AssertEchoes(target, copy, what);
        AssertETag(target, copy.XmlValue("ETag"), content, what);
        await AssertReadsAsync($"copy-{source}-{target}", target, content, keys, what);

        what += " (UploadPartCopy)";
        string key = $"part-{source}-{target}";
        string upload = await RawMultipart.CreateAsync(Server, "bucket", key, WriteHeaders(target, keys, 1));
        RawResponse part = await SignedRequests.SendAsync(Server, "PUT", $"/bucket/{key}?partNumber=1&uploadId={upload}", [], [.. from, .. ReadHeaders(target, keys, 1)]);
        Assert.True(part.Status == 200, $"{what}: {part.Describe()}");
        AssertEchoes(target, part, what);
        string partETag = part.XmlValue("ETag");
        AssertETag(target, partETag, content, what);
        RawResponse complete = await RawMultipart.CompleteAsync(Server, "bucket", key, upload, [new(1, partETag)], ReadHeaders(target, keys, 1));
        Assert.True(complete.Status == 200, $"{what}: {complete.Describe()}");
        Assert.Matches("^\"[0-9a-f]{32}-1\"$", complete.XmlValue("ETag"));
        await AssertReadsAsync(key, target, content, keys, what);
    }

}
