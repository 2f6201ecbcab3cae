using System.Security.Cryptography;
using System.Text.RegularExpressions;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// The early 200 of long copies and Completes (a server told to send it at once): the status and
/// XML declaration go out first, whitespace keeps the connection alive, and the result document,
/// or an &lt;Error&gt; document when the work failed, ends the body.
/// </summary>
public sealed partial class MultipartKeepAliveTests
{
    private static readonly string[] KeepAliveAtOnce = ["--keepalive-after", "0"];

    /// <summary>Asserts the shape of an early 200: chunked (its length was unknown when it started), declaration, whitespace, then a <paramref name="root"/> document.</summary>
    private static void AssertEarly(RawResponse response, string root)
    {
        S3Assert.Status(response, 200);
        Assert.False(response.Headers.ContainsKey("Content-Length"), response.Describe());
        Assert.Equal("chunked", response.Headers["Transfer-Encoding"]);
        Match match = EarlyBody().Match(response.BodyText);
        Assert.True(match.Success && match.Groups[1].Value == root, $"expected the declaration, whitespace and <{root}>: {response.BodyText}");
    }

    [GeneratedRegex("""^<\?xml version="1\.0" encoding="UTF-8"\?>\s+<(\w+)[ >]""")]
    private static partial Regex EarlyBody();

    [Fact]
    public async Task CopiesAndCompleteAnswerEarlyAndCopyCorrectly()
    {
        await using InProcessServer server = await InProcessServer.StartAsync(extraArguments: KeepAliveAtOnce);
        await CreateBucketAsync(server, "bucket");
        byte[] source = RandomNumberGenerator.GetBytes(40 * MultipartErrorTests.MiB + 123);
        await PutObjectAsync(server, "bucket", "source", source);

        RawResponse copied = await SignedRequests.SendAsync(server, "PUT", "/bucket/copy", [], signPayload: false, ["x-amz-copy-source:/bucket/source"], timeoutSeconds: 120);
        AssertEarly(copied, "CopyObjectResult");
        Assert.Equal(MultipartErrorTests.QuotedMd5(source), copied.XmlValue("ETag"));
        Assert.Equal(source, (await GetAsync(server, "bucket", "copy")).Body);

        // UploadPartCopy: the whole source as part 1, a range of it as part 2.
        string uploadId = await CreateAsync(server, "bucket", "assembled");
        RawResponse whole = await SignedRequests.SendAsync(server, "PUT", $"/bucket/assembled?partNumber=1&uploadId={uploadId}", [], signPayload: false, ["x-amz-copy-source:/bucket/source"], timeoutSeconds: 120);
        AssertEarly(whole, "CopyPartResult");
        Assert.Equal(MultipartErrorTests.QuotedMd5(source), whole.XmlValue("ETag"));
        RawResponse range = await SignedRequests.SendAsync(server, "PUT", $"/bucket/assembled?partNumber=2&uploadId={uploadId}", [], signPayload: false, ["x-amz-copy-source:/bucket/source", "x-amz-copy-source-range:bytes=1000-1999"], timeoutSeconds: 120);
        AssertEarly(range, "CopyPartResult");
        Assert.Equal(MultipartErrorTests.QuotedMd5(source[1000..2000]), range.XmlValue("ETag"));

        RawResponse completed = await CompleteAsync(server, "bucket", "assembled", uploadId, [new Part(1, whole.XmlValue("ETag")), new Part(2, range.XmlValue("ETag"))]);
        AssertEarly(completed, "CompleteMultipartUploadResult");
        Assert.Equal(completed.XmlValue("ETag"), (await SignedRequests.SendAsync(server, "HEAD", "/bucket/assembled", [])).Headers["ETag"]);
        byte[] expected = [.. source, .. source[1000..2000]];
        Assert.Equal(expected, (await GetAsync(server, "bucket", "assembled")).Body);

        // The multipart object copied in turn: read across its parts into one new file.
        RawResponse recopied = await SignedRequests.SendAsync(server, "PUT", "/bucket/reassembled", [], signPayload: false, ["x-amz-copy-source:/bucket/assembled"], timeoutSeconds: 120);
        AssertEarly(recopied, "CopyObjectResult");
        Assert.Equal(MultipartErrorTests.QuotedMd5(expected), recopied.XmlValue("ETag"));
        Assert.Equal(expected, (await GetAsync(server, "bucket", "reassembled")).Body);
    }

    [Fact]
    public async Task ACompleteThatFailsAfterTheEarly200CarriesTheErrorInItsBody()
    {
        await using InProcessServer server = await InProcessServer.StartAsync(extraArguments: KeepAliveAtOnce);
        await CreateBucketAsync(server, "bucket");
        byte[] old = RandomNumberGenerator.GetBytes(1000);
        await PutObjectAsync(server, "bucket", "k", old);
        string uploadId = await CreateAsync(server, "bucket", "k");
        byte[] data = RandomNumberGenerator.GetBytes(2000);
        var part = new Part(1, await UploadPartAsync(server, "bucket", "k", uploadId, 1, data));

        RawResponse failed = await CompleteAsync(server, "bucket", "k", uploadId, [part], "If-None-Match:*");
        AssertEarly(failed, "Error");
        S3Assert.Error(failed, 200, "PreconditionFailed");
        failed = await CompleteAsync(server, "bucket", "k", uploadId, [part with { ETag = "\"00000000000000000000000000000000\"" }]);
        AssertEarly(failed, "Error");
        S3Assert.Error(failed, 200, "InvalidPart");

        // Errors found before the work starts still get their own status.
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, "<nonsense/>"), 400, "MalformedXML");

        // The upload is still there, the old object untouched; without the condition it completes.
        Assert.Equal(old, (await GetAsync(server, "bucket", "k")).Body);
        AssertEarly(await CompleteAsync(server, "bucket", "k", uploadId, [part]), "CompleteMultipartUploadResult");
        Assert.Equal(data, (await GetAsync(server, "bucket", "k")).Body);
    }
}
