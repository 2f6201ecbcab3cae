using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// Buckets are unversioned, so "null" (what listings report) is the only version id an object has;
/// any other is 400 InvalidArgument and touches nothing, never a request for the current object.
/// </summary>
public sealed class VersionIdTests(VersionIdTests.Fixture fixture) : IClassFixture<VersionIdTests.Fixture>
{
    private const string AwsLikeVersionId = "3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY%2BMTRCxf3vjVBH40Nr8X8gdRQBpUMLUo";

    [Theory]
    [InlineData("DELETE")]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public async Task AnotherVersionIdIsInvalidAndTouchesNothing(string method)
    {
        foreach (string versionId in new[] { AwsLikeVersionId, "bogus", "", "NULL", "null2" })
        {
            RawResponse response = await SendAsync(method, $"/bucket/k?versionId={versionId}");
            Assert.True(response.Status == 400, $"{method} versionId={versionId}: {response.Describe()}");
            if (method != "HEAD")
            {
                Assert.Equal("InvalidArgument", response.ErrorCode());
                Assert.Contains("Invalid version id specified", response.BodyText);
            }
        }

        Assert.Equal("kept", (await SendAsync("GET", "/bucket/k")).BodyText);
    }

    [Fact]
    public async Task TheNullVersionIsTheObject()
    {
        Assert.Equal("kept", (await SendAsync("GET", "/bucket/k?versionId=null")).BodyText);
        Assert.Equal(200, (await SendAsync("HEAD", "/bucket/k?versionId=null")).Status);
        Assert.Equal(200, (await SendAsync("PUT", "/bucket/gone", "x")).Status);
        Assert.Equal(204, (await SendAsync("DELETE", "/bucket/gone?versionId=null")).Status);
        Assert.Equal(404, (await SendAsync("HEAD", "/bucket/gone")).Status);
    }

    [Fact]
    public async Task DeleteObjectsRefusesOtherVersionIdsPerKey()
    {
        Assert.Equal(200, (await SendAsync("PUT", "/bucket/nullversion", "x")).Status);
        RawResponse response = await DeleteObjectsAsync(
            "<Delete><Object><Key>k</Key><VersionId>3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</VersionId></Object>" +
            "<Object><Key>nullversion</Key><VersionId>null</VersionId></Object></Delete>");
        Assert.True(response.Status == 200, response.Describe());
        // <Error><Key>k</Key><VersionId>…</VersionId><Code>…</Code>…</Error>, then <Deleted><Key>nullversion</Key><VersionId>null</VersionId></Deleted>.
        Assert.Equal(["k", "nullversion"], response.XmlValues("Key"));
        Assert.Equal(["3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "null"], response.XmlValues("VersionId"));
        Assert.Equal("InvalidArgument", response.XmlValues("Code").Single());
        Assert.Single(response.XmlValues("Error"));
        Assert.Single(response.XmlValues("Deleted"));
        Assert.Equal("kept", (await SendAsync("GET", "/bucket/k")).BodyText);
        Assert.Equal(404, (await SendAsync("HEAD", "/bucket/nullversion")).Status);
    }

    [Fact]
    public async Task DeleteObjectsWithTwoKeysInOneObjectIsMalformed()
    {
        RawResponse response = await DeleteObjectsAsync("<Delete><Object><Key>other</Key><Key>k</Key></Object></Delete>");
        Assert.Equal(400, response.Status);
        Assert.Equal("MalformedXML", response.ErrorCode());
        Assert.Equal("kept", (await SendAsync("GET", "/bucket/k")).BodyText);
    }

    private Task<RawResponse> DeleteObjectsAsync(string xml)
        => SendAsync("POST", "/bucket?delete", xml, ("content-md5", Convert.ToBase64String(MD5.HashData(Encoding.UTF8.GetBytes(xml)))));

    private Task<RawResponse> SendAsync(string method, string target, string body = "", params (string, string)[] headers)
        => SendAsync(fixture.Server, method, target, body, headers);

    private static Task<RawResponse> SendAsync(TestServer server, string method, string target, string body = "", params (string, string)[] headers)
        => RawSigner.SendAsync(server, method, target, body, headers);

    /// <summary>One server with "k" holding "kept", which every test checks is still there; other keys are each test's own.</summary>
    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override async Task PrepareAsync(InProcessServer server)
        {
            Assert.Equal(200, (await SendAsync(server, "PUT", "/bucket")).Status);
            Assert.Equal(200, (await SendAsync(server, "PUT", "/bucket/k", "kept")).Status);
        }
    }
}
