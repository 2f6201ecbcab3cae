using System.Text;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// User metadata and the stored content headers read back as the very bytes they were sent in,
/// whatever those are: Latin-1 (0xE9 for é), UTF-8 (C3 A9), plain, SSE-C, copied with either
/// directive, and through a multipart upload; and what boto3 makes of it.
/// </summary>
public sealed class NonAsciiMetadataTests(NonAsciiMetadataTests.Fixture fixture) : IClassFixture<NonAsciiMetadataTests.Fixture>
{
    // Chars up to U+00FF stand for one byte each on the wire (RawSigner sends heads in Latin-1).
    private const string Latin1Cafe = "caf\u00E9";
    private const string Utf8Cafe = "caf\u00C3\u00A9";
    private const string Disposition = "attachment; filename=\"caf\u00E9.txt\"";

    private static readonly (string, string)[] SentHeaders =
        [("x-amz-meta-x", Latin1Cafe), ("x-amz-meta-utf8", Utf8Cafe), ("content-disposition", Disposition), ("cache-control", "no-\u00FF")];

    private InProcessServer Server => fixture.Server;

    [Fact]
    public async Task HeadAndGetReturnTheBytesSent()
    {
        S3Assert.Status(await RawSigner.SendAsync(Server, "PUT", "/bucket/plain", "body", SentHeaders), 200);
        AssertBytesAsSent(await RawSigner.SendAsync(Server, "HEAD", "/bucket/plain"));
        AssertBytesAsSent(await RawSigner.SendAsync(Server, "GET", "/bucket/plain"));
    }

    [Fact]
    public async Task SseCObjectsReturnTheBytesSent()
    {
        (string, string)[] key = [.. SseCTests.Triple().Select(header => (header[..header.IndexOf(':')], header[(header.IndexOf(':') + 1)..]))];
        S3Assert.Status(await RawSigner.SendAsync(Server, "PUT", "/bucket/encrypted", "body", [.. SentHeaders, .. key]), 200);
        AssertBytesAsSent(await RawSigner.SendAsync(Server, "HEAD", "/bucket/encrypted", "", key));
        AssertBytesAsSent(await RawSigner.SendAsync(Server, "GET", "/bucket/encrypted", "", key));
    }

    [Fact]
    public async Task CopiesKeepTheBytesOfTheirDirective()
    {
        S3Assert.Status(await RawSigner.SendAsync(Server, "PUT", "/bucket/source", "body", SentHeaders), 200);
        S3Assert.Status(await RawSigner.SendAsync(Server, "PUT", "/bucket/copied", "", ("x-amz-copy-source", "bucket/source")), 200);
        AssertBytesAsSent(await RawSigner.SendAsync(Server, "HEAD", "/bucket/copied"));

        S3Assert.Status(await RawSigner.SendAsync(Server, "PUT", "/bucket/replaced", "",
            ("x-amz-copy-source", "bucket/source"), ("x-amz-metadata-directive", "REPLACE"), ("x-amz-meta-y", "na\u00EFve"), ("content-type", "text/pl\u00E0in")), 200);
        RawResponse replaced = await RawSigner.SendAsync(Server, "HEAD", "/bucket/replaced");
        AssertBytes("na\u00EFve", replaced, "x-amz-meta-y");
        AssertBytes("text/pl\u00E0in", replaced, "Content-Type");
        Assert.False(replaced.Headers.ContainsKey("x-amz-meta-x"), replaced.Describe());
    }

    [Fact]
    public async Task MultipartUploadsKeepTheBytesOfTheirCreate()
    {
        RawResponse created = await RawSigner.SendAsync(Server, "POST", "/bucket/multipart?uploads", "", SentHeaders);
        S3Assert.Status(created, 200);
        string uploadId = created.XmlValue("UploadId");
        string etag = await UploadPartAsync(Server, "bucket", "multipart", uploadId, 1, "body"u8.ToArray());
        S3Assert.Status(await CompleteAsync(Server, "bucket", "multipart", uploadId, [new Part(1, etag)]), 200);
        AssertBytesAsSent(await RawSigner.SendAsync(Server, "HEAD", "/bucket/multipart"));
    }

    /// <summary>
    /// botocore refuses non-ASCII metadata before sending (as against AWS). Without that check, as
    /// other SDKs have none, it signs and sends UTF-8 and reads headers back as Latin-1, so é returns
    /// as "Ã©": FastS3 answers with the bytes it was sent. For Content-Disposition that is what AWS
    /// answers too; AWS would return the metadata value RFC 2047-encoded ("=?UTF-8?Q?caf=C3=A9?=").
    /// </summary>
    [Fact]
    public async Task Boto3RoundTripsWhatItSendsAsLatin1()
    {
        string result = await Boto3.RunAsync(Server, """
            try:
                s3.put_object(Bucket="bucket", Key="boto3", Body=b"body", Metadata={"name": "café"})
                raise AssertionError("botocore sent non-ASCII metadata")
            except botocore.exceptions.ParamValidationError:
                pass
            s3.meta.events.unregister("before-parameter-build.s3.PutObject", botocore.handlers.validate_ascii_metadata)
            s3.put_object(Bucket="bucket", Key="boto3", Body=b"body", Metadata={"name": "café"}, ContentDisposition='attachment; filename="café.txt"')
            head = s3.head_object(Bucket="bucket", Key="boto3")
            print(json.dumps([head["Metadata"]["name"], head["ContentDisposition"]]))
            """);
        Assert.Equal("[\"caf\\u00c3\\u00a9\", \"attachment; filename=\\\"caf\\u00c3\\u00a9.txt\\\"\"]", result.Trim());

        RawResponse head = await RawSigner.SendAsync(Server, "HEAD", "/bucket/boto3");
        AssertBytes(Utf8Cafe, head, "x-amz-meta-name");
        AssertBytes("attachment; filename=\"" + Utf8Cafe + ".txt\"", head, "Content-Disposition");
    }

    private static void AssertBytesAsSent(RawResponse response)
    {
        S3Assert.Status(response, 200);
        AssertBytes(Latin1Cafe, response, "x-amz-meta-x");
        AssertBytes(Utf8Cafe, response, "x-amz-meta-utf8");
        AssertBytes(Disposition, response, "Content-Disposition");
        AssertBytes("no-\u00FF", response, "Cache-Control");
    }

    /// <summary>The header's bytes (RawClient reads each as the char of that value) are those of <paramref name="sent"/> on the wire.</summary>
    private static void AssertBytes(string sent, RawResponse response, string header)
    {
        Assert.True(response.Headers.TryGetValue(header, out string? value), $"no {header}: {response.Describe()}");
        Assert.Equal(Encoding.Latin1.GetBytes(sent), Encoding.Latin1.GetBytes(value));
    }

    /// <summary>One server with an empty "bucket"; each test uses keys of its own.</summary>
    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override Task PrepareAsync(InProcessServer server) => CreateBucketAsync(server, "bucket");
    }
}
