using System.Text;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>ListObjectsV2's continuation tokens and allow-unordered, answered as AWS answers them.</summary>
public sealed class ListingConformanceTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(_server, "bucket");
        foreach (string key in new[] { "a", "b", "c" })
        {
            await RawMultipart.PutObjectAsync(_server, "bucket", key, Encoding.ASCII.GetBytes(key));
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AnEmptyOrOverlongContinuationTokenIsInvalid()
    {
        S3Assert.Error(await ListAsync("list-type=2&continuation-token="), 400, "InvalidArgument");
        S3Assert.Error(await ListAsync("list-type=2&continuation-token=" + new string('Q', 4000)), 400, "InvalidArgument");
    }

    [Fact]
    public async Task TheTokenSentIsEchoedAndResumes()
    {
        RawResponse first = await ListAsync("list-type=2&max-keys=1");
        string token = first.XmlValue("NextContinuationToken");
        RawResponse second = await ListAsync("list-type=2&max-keys=1&continuation-token=" + Uri.EscapeDataString(token));
        S3Assert.Status(second, 200);
        Assert.Equal(token, second.XmlValue("ContinuationToken"));
        Assert.Equal(["b"], second.XmlValues("Key"));
    }

    [Fact]
    public async Task AllowUnorderedWithADelimiterIsInvalid()
    {
        S3Assert.Error(await ListAsync("list-type=2&allow-unordered=true&delimiter=%2F"), 400, "InvalidArgument");
        S3Assert.Status(await ListAsync("list-type=2&allow-unordered=true"), 200);
    }

    private Task<RawResponse> ListAsync(string query) => SignedRequests.SendAsync(_server, "GET", "/bucket?" + query, []);
}
