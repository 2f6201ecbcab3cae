using System.Text;
using FastS3.Api;
using FastS3.Basics;
using FastS3.Storage;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// GetObject's and HeadObject's response-* query parameters: presigned download links (boto3, curl)
/// and aws-cli's --response-* options replace the stored headers, on ranges and SSE-C objects too;
/// 304 and 412 carry none; values that cannot be a header are refused; a GET without them is
/// answered as before.
/// </summary>
public sealed class ResponseOverrideTests(ResponseOverrideTests.Fixture fixture) : IClassFixture<ResponseOverrideTests.Fixture>
{
    private static readonly string[] Key = SseCTests.Triple();

    private InProcessServer Server => fixture.Server;

    [Fact]
    public async Task PresignedDownloadLinksNameTheFile()
    {
        string url = await PresignGetAsync(("ResponseContentDisposition", "attachment; filename=\"x.txt\""), ("ResponseContentType", "text/csv"));

        // curl -J saves under the name Content-Disposition gives.
        string work = Directory.CreateTempSubdirectory("fasts3-overrides-").FullName;
        try
        {
            var (exit, stdout, stderr) = await Processes.RunAsync(new System.Diagnostics.ProcessStartInfo("curl",
                ["--silent", "--show-error", "--max-time", "60", "--insecure", "--fail-with-body", "--remote-name", "--remote-header-name", "--dump-header", "headers", url])
            {
                WorkingDirectory = work,
            });
            Assert.True(exit == 0, stdout + stderr);
            Assert.Equal("plain body", File.ReadAllText(Path.Combine(work, "x.txt")));
            string headers = File.ReadAllText(Path.Combine(work, "headers"));
            Assert.Contains("Content-Type: text/csv\r\n", headers);
            Assert.DoesNotContain("text/plain", headers);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task NonAsciiValuesAreSentInIso88591AndOthersRefused()
    {
        // S3 writes header values in ISO-8859-1: é goes out as the one byte 0xE9, as browsers read it.
        RawResponse response = await FetchAsync(await PresignGetAsync(("ResponseContentDisposition", "attachment; filename=\"café.txt\"")));
        S3Assert.Status(response, 200);
        Assert.Equal("attachment; filename=\"caf\xE9.txt\"", response.Headers["Content-Disposition"]);

        response = await FetchAsync(await PresignGetAsync(("ResponseCacheControl", "no-store — please")));
        S3Assert.Error(response, 400, "InvalidArgument");
        Assert.Equal("response-cache-control", response.XmlValue("ArgumentName"));
        Assert.Equal("Header value cannot be represented using ISO-8859-1.", response.XmlValue("Message"));
    }

    [Fact]
    public async Task AwsCliResponseOptionsOverrideTheStoredHeaders()
    {
        string output = Path.GetTempFileName();
        try
        {
            var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(Server.BaseUrl, "s3api", "get-object", "--bucket", "bucket", "--key", "plain",
                "--response-content-type", "application/json", "--response-content-language", "fr", "--response-expires", "Wed, 21 Oct 2015 07:28:00 GMT", output);
            Assert.True(exit == 0, stderr);
            Assert.Contains("\"ContentType\": \"application/json\"", stdout);
            Assert.Contains("\"ContentLanguage\": \"fr\"", stdout);
            Assert.Contains("\"ExpiresString\": \"Wed, 21 Oct 2015 07:28:00 GMT\"", stdout);
            Assert.Contains("\"CacheControl\": \"no-cache\"", stdout);
            Assert.Equal("plain body", File.ReadAllText(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    [Fact]
    public async Task OverridesApplyToRangesHeadAndSseCObjects()
    {
        const string Overrides = "?response-cache-control=max-age%3D60&response-content-type=image%2Fpng&response-content-encoding=identity";
        RawResponse range = await GetAsync(Server, "bucket", "plain", Overrides, "Range:bytes=0-4");
        S3Assert.Status(range, 206);
        Assert.Equal("plain", Encoding.ASCII.GetString(range.Body));
        AssertOverridden(range);

        RawResponse head = await SignedRequests.SendAsync(Server, "HEAD", "/bucket/plain" + Overrides, []);
        S3Assert.Status(head, 200);
        AssertOverridden(head);

        RawResponse encrypted = await GetAsync(Server, "bucket", "encrypted", Overrides + "&response-content-disposition=inline", [.. Key, "Range:bytes=2-"]);
        S3Assert.Status(encrypted, 206);
        Assert.Equal("cret body", Encoding.ASCII.GetString(encrypted.Body));
        AssertOverridden(encrypted);
        Assert.Equal("inline", encrypted.Headers["Content-Disposition"]);
        Assert.Equal("de", encrypted.Headers["Content-Language"]);

        static void AssertOverridden(RawResponse response)
        {
            Assert.Equal("max-age=60", response.Headers["Cache-Control"]);
            Assert.Equal("image/png", response.Headers["Content-Type"]);
            Assert.Equal("identity", response.Headers["Content-Encoding"]);
        }
    }

    [Fact]
    public async Task NotModifiedAndPreconditionFailedCarryNoOverrides()
    {
        RawResponse plain = await GetAsync(Server, "bucket", "plain");
        const string Overrides = "?response-content-disposition=attachment&response-cache-control=max-age%3D60";

        RawResponse notModified = await GetAsync(Server, "bucket", "plain", Overrides, $"If-None-Match:{plain.Headers["ETag"]}");
        S3Assert.Status(notModified, 304);
        Assert.False(notModified.Headers.ContainsKey("Content-Disposition"), notModified.Describe());
        Assert.False(notModified.Headers.ContainsKey("Cache-Control"), notModified.Describe());

        RawResponse failed = await GetAsync(Server, "bucket", "plain", Overrides, "If-Match:\"0\"");
        S3Assert.Error(failed, 412, "PreconditionFailed");
        Assert.False(failed.Headers.ContainsKey("Content-Disposition"), failed.Describe());
    }

    [Theory]
    [InlineData("response-content-disposition=attachment%0D%0Ax-injected%3A%201", "response-content-disposition", "Header value cannot contain control characters.")]
    [InlineData("response-content-type=text%2Fplain%0Ax", "response-content-type", "Header value cannot contain control characters.")]
    [InlineData("response-expires=%00", "response-expires", "Header value cannot contain control characters.")]
    [InlineData("response-content-language=%E9t%E9", "response-content-language", "Header value cannot be represented using ISO-8859-1.")]
    [InlineData("response-content-type=a&response-content-type=b", "response-content-type", "A response header override may be given once.")]
    public async Task ValuesThatCannotBeAHeaderAreRefused(string query, string parameter, string message)
    {
        RawResponse response = await GetAsync(Server, "bucket", "plain", "?" + query);
        S3Assert.Error(response, 400, "InvalidArgument");
        Assert.Equal(parameter, response.XmlValue("ArgumentName"));
        Assert.Equal(message, response.XmlValue("Message"));
        Assert.False(response.Headers.ContainsKey("x-injected"), response.Describe());
    }

    [Fact]
    public async Task OverlongValuesAreRefused()
    {
        string longest = new('a', ResponseOverrides.MaxValueLength);
        S3Assert.Status(await GetAsync(Server, "bucket", "plain", "?response-content-type=" + longest), 200);
        RawResponse response = await GetAsync(Server, "bucket", "plain", "?response-content-type=" + longest + "a");
        S3Assert.Error(response, 400, "InvalidArgument");
        Assert.Equal("response-content-type", response.XmlValue("ArgumentName"));
    }

    [Fact]
    public async Task NamesAreCaseSensitiveAndEmptyValuesOverrideNothing()
    {
        RawResponse response = await GetAsync(Server, "bucket", "plain", "?Response-Content-Type=image%2Fpng&response-cache-control=");
        S3Assert.Status(response, 200);
        Assert.Equal("text/plain", response.Headers["Content-Type"]);
        Assert.Equal("no-cache", response.Headers["Cache-Control"]);
    }

    [Fact]
    public async Task AGetWithoutOverridesIsAnsweredAsBefore()
    {
        RawResponse response = await GetAsync(Server, "bucket", "plain");
        S3Assert.Status(response, 200);
        Assert.Equal(
            ["Accept-Ranges", "Cache-Control", "Content-Length", "Content-Type", "Date", "ETag", "Last-Modified", "Server", "x-amz-meta-owner", "x-amz-request-id", "x-amz-server-side-encryption"],
            response.Headers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("text/plain", response.Headers["Content-Type"]);
        Assert.Equal("no-cache", response.Headers["Cache-Control"]);
        Assert.Equal("plain body", Encoding.ASCII.GetString(response.Body));

        // An object with no Content-Type still gets S3's default, unless the request names one.
        Assert.Equal("binary/octet-stream", (await GetAsync(Server, "bucket", "bare")).Headers["Content-Type"]);
        Assert.Equal("text/html", (await GetAsync(Server, "bucket", "bare", "?response-content-type=text%2Fhtml")).Headers["Content-Type"]);
    }

    [Fact]
    public void AnonymousRequestsMayNotOverride()
    {
        Assert.Same(S3Errors.AnonymousResponseOverride, ResponseOverrides.Parse("response-content-type=text%2Fplain"u8, authenticated: false, out _));
        Assert.Null(ResponseOverrides.Parse("prefix=response-&x=1"u8, authenticated: false, out ResponseOverrides none));
        Assert.False(none.Replaces(RecordField.ContentType));
    }

    [Fact]
    public void ParsingAllocatesNothing()
    {
        ReadOnlySpan<byte> query = "response-content-disposition=attachment%3B%20filename%3D%22caf%C3%A9.txt%22&response-content-type=text%2Fcsv&X-Amz-Date=20261207T000000Z"u8;
        Assert.Null(ResponseOverrides.Parse(query, authenticated: true, out ResponseOverrides overrides));
        Assert.True(overrides.Replaces(RecordField.ContentDisposition) && overrides.Replaces(RecordField.ContentType) && !overrides.Replaces(RecordField.CacheControl));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            ResponseOverrides.Parse(query, authenticated: true, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>A presigned GetObject URL for "plain" with boto3's Response* <paramref name="overrides"/>.</summary>
    private Task<string> PresignGetAsync(params (string Parameter, string Value)[] overrides)
        => Boto3.PresignAsync(Server, "get_object", new Dictionary<string, string>(overrides.Select(o => KeyValuePair.Create(o.Parameter, o.Value)))
        {
            ["Bucket"] = "bucket",
            ["Key"] = "plain",
        });

    /// <summary>A URL fetched as a browser would: no headers of its own, the answer read byte for byte.</summary>
    private async Task<RawResponse> FetchAsync(string url)
    {
        var target = new Uri(url);
        using RawClient client = await RawClient.ConnectAsync(Server.BaseUrl.Port, tls: true);
        await client.SendAsync($"GET {target.PathAndQuery} HTTP/1.1\r\nHost: {target.Authority}\r\n\r\n");
        return await client.ReadResponseAsync();
    }

    /// <summary>A bucket with "plain" (stored content headers and metadata), "encrypted" (SSE-C, likewise) and "bare" (none).</summary>
    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override async Task PrepareAsync(InProcessServer server)
        {
            await CreateBucketAsync(server, "bucket");
            await PutObjectAsync(server, "bucket", "plain", "plain body"u8.ToArray(), "Content-Type:text/plain", "Cache-Control:no-cache", "x-amz-meta-owner:alice");
            await PutObjectAsync(server, "bucket", "encrypted", "secret body"u8.ToArray(), [.. Key, "Content-Type:text/plain", "Content-Language:de"]);
            await PutObjectAsync(server, "bucket", "bare", "bare"u8.ToArray());
        }
    }
}
