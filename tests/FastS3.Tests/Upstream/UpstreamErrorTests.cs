using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FastS3.Upstream;

namespace FastS3.Tests.Upstream;

/// <summary>Typed upstream errors, and an upstream that is not there at all.</summary>
[Collection(RgwCollection.Name)]
public sealed class UpstreamErrorTests(RgwFixture rgw)
{
    [RgwFact]
    public async Task S3_Errors_Arrive_Typed_With_Code_And_Request_Id()
    {
        using UpstreamClient client = rgw.Client();
        string bucket = RgwFixture.BucketName("errors");
        Assert.Equal(BucketState.Missing, await client.HeadBucketAsync(bucket));
        UpstreamException noBucket = await Assert.ThrowsAsync<UpstreamException>(() => client.GetObjectAsync(bucket, "k"u8.ToArray()));
        Assert.Equal((HttpStatusCode.NotFound, "NoSuchBucket"), (noBucket.Status, noBucket.Code));

        await client.CreateBucketAsync(bucket);
        try
        {
            Assert.Equal(BucketState.Exists, await client.HeadBucketAsync(bucket));
            UpstreamException noKey = await Assert.ThrowsAsync<UpstreamException>(() => client.GetObjectAsync(bucket, "missing"u8.ToArray()));
            Assert.Equal((HttpStatusCode.NotFound, "NoSuchKey"), (noKey.Status, noKey.Code));
            Assert.False(string.IsNullOrEmpty(noKey.RequestId));

            // RGW 16.2 quirk: creating a bucket one already owns succeeds (200), as AWS's us-east-1 once
            // did; BucketAlreadyOwnedByYou never comes, so the gateway cannot rely on it.
            await client.CreateBucketAsync(bucket);

            await client.PutObjectAsync(bucket, "k"u8.ToArray(), "x"u8.ToArray());
            UpstreamException notEmpty = await Assert.ThrowsAsync<UpstreamException>(() => client.DeleteBucketAsync(bucket));
            Assert.Equal((HttpStatusCode.Conflict, "BucketNotEmpty"), (notEmpty.Status, notEmpty.Code));

            using UpstreamClient wrongKey = rgw.Client(secretKey: "not-the-secret-key-0000000000000000000000");
            Assert.Equal(BucketState.Forbidden, await wrongKey.HeadBucketAsync(bucket));
            UpstreamException forged = await Assert.ThrowsAsync<UpstreamException>(() => wrongKey.ListBucketsAsync());
            Assert.Equal((HttpStatusCode.Forbidden, "SignatureDoesNotMatch"), (forged.Status, forged.Code));
        }
        finally
        {
            await RgwFixture.DropBucketAsync(client, bucket);
        }
    }

    /// <summary>A closed loopback port: refused at once, retried a bounded number of times, then the unavailable type.</summary>
    [Fact]
    public async Task Unreachable_Upstream_Fails_Fast_As_Unavailable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        using var client = new UpstreamClient(new UpstreamOptions { Endpoint = new Uri($"http://127.0.0.1:{port}"), AccessKey = "a", SecretKey = "s" });
        var clock = Stopwatch.StartNew();
        UpstreamUnavailableException refused = await Assert.ThrowsAsync<UpstreamUnavailableException>(() => client.HeadBucketAsync("bucket"));
        Assert.Contains("3 attempt", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<UpstreamUnavailableException>(() => client.PutObjectAsync("bucket", "k"u8.ToArray(), "x"u8.ToArray()));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    /// <summary>A listener that accepts and never answers: the request timeout, not a hang.</summary>
    [Fact]
    public async Task Silent_Upstream_Times_Out_As_Unavailable()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);
        using var client = new UpstreamClient(new UpstreamOptions
        {
            Endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndPoint!).Port}"),
            AccessKey = "a",
            SecretKey = "s",
            RequestTimeout = TimeSpan.FromMilliseconds(300),
            MaxAttempts = 2,
        });
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<UpstreamUnavailableException>(() => client.ListBucketsAsync());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }
}
