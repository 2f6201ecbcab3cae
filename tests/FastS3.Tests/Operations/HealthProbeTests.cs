using FastS3.Tests.Hosting;
using FastS3.Testing;

namespace FastS3.Tests.Operations;

/// <summary>
/// MinIO's probe paths answer without authentication, with no body, for GET and HEAD; nothing that
/// merely looks like them does; ready fails as a graceful stop begins and while the store is full.
/// </summary>
public sealed class HealthProbeTests
{
    private static readonly string[] Probes = ["/minio/health/live", "/minio/health/ready", "/minio/health/cluster"];

    [Fact]
    public async Task ProbesAnswerWithoutAuthenticationAndLookAlikesDoNot()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        foreach (string probe in Probes)
        {
            foreach (string method in new[] { "GET", "HEAD" })
            {
                RawResponse response = await SendAsync(server, method, probe);
                Assert.True(response.Status == 200, $"{method} {probe}: {response.Status}");
                Assert.Equal("0", response.Headers["Content-Length"]);
                Assert.False(response.Headers.ContainsKey("x-fasts3-health-reason"));
            }

            // A probe takes any query (MinIO's cluster probe has options), but no other method.
            Assert.Equal(200, (await SendAsync(server, "GET", probe + "?maintenance=true")).Status);
            Assert.Equal(403, (await SendAsync(server, "POST", probe)).Status);
        }

        // Every other spelling is an S3 request like any other: refused unsigned, never answered as a probe.
        string[] lookAlikes =
        [
            "/minio/health/liveX", "/minio/health/live/", "/minio/health/../bucket", "/minio/health/./live", "/minio/health//live",
            "/minio/health/%6Cive", "/minio/health", "/minio/health/", "//minio/health/live", "/minio/v2/metrics/clusterX",
            "/minio/health/live%00", "/Minio/health/live", "/minio/Health/live", "/minio/v2/metrics/node/",
        ];
        foreach (string path in lookAlikes)
        {
            RawResponse response = await SendAsync(server, "GET", path);
            Assert.True(response.Status is 403 or 400, $"GET {path}: {response.Status} {response.BodyText}");
        }

        // On a virtual host the probe path is an object key of that bucket.
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true);
        await client.SendAsync($"GET /minio/health/live HTTP/1.1\r\nHost: bucket.localhost:{server.BaseUrl.Port}\r\n\r\n");
        Assert.Equal(403, (await client.ReadResponseAsync()).Status);

        Assert.DoesNotContain("health", server.Log, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ReadyFailsAsAGracefulStopBeginsWhileTheServerStillServes()
    {
        await using InProcessServer server = await InProcessServer.StartAsync(extraArguments: ["--drain-delay", "3"]);
        await RawMultipart.CreateBucketAsync(server, "drain");
        Assert.Equal(200, (await SendAsync(server, "GET", "/minio/health/ready")).Status);

        Task stopping = server.StopAsync();
        RawResponse ready = await SendAsync(server, "GET", "/minio/health/ready");
        Assert.Equal(503, ready.Status);
        Assert.Equal("draining", ready.Headers["x-fasts3-health-reason"]);
        Assert.Equal(503, (await SendAsync(server, "HEAD", "/minio/health/cluster")).Status);

        // Still serving meanwhile: the process lives, and S3 requests are answered.
        Assert.Equal(200, (await SendAsync(server, "GET", "/minio/health/live")).Status);
        Assert.Equal(200, (await SignedRequests.SendAsync(server, "PUT", "/drain/during-drain", [1, 2, 3])).Status);
        Assert.False(stopping.IsCompleted);

        await stopping;
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => SendAsync(server, "GET", "/minio/health/live"));
    }

    /// <summary>DATA_DIR on a small tmpfs (root only): ready says storage-full while it is full, and recovers when space comes back.</summary>
    [RootFact]
    public async Task ReadyFailsWhileTheStoreIsFull()
    {
        await using TmpfsMount disk = await TmpfsMount.MountAsync("16m");
        await using InProcessServer server = await InProcessServer.StartAsync(dataDir: Path.Combine(disk.Path, "data"));
        await RawMultipart.CreateBucketAsync(server, "full");
        Assert.Equal(200, (await SendAsync(server, "GET", "/minio/health/ready")).Status);

        disk.Fill("filler");
        Assert.Equal(507, (await SignedRequests.SendAsync(server, "PUT", "/full/refused", new byte[64 * 1024])).Status);
        foreach (string probe in new[] { "/minio/health/ready", "/minio/health/cluster" })
        {
            RawResponse ready = await SendAsync(server, "GET", probe);
            Assert.Equal(503, ready.Status);
            Assert.Equal("storage-full", ready.Headers["x-fasts3-health-reason"]);
        }

        Assert.Equal(200, (await SendAsync(server, "GET", "/minio/health/live")).Status);
        Assert.Contains("minio_cluster_health_status{server=", await Scrape.MetricsAsync(server));
        Assert.Equal(0, Scrape.Samples(await Scrape.MetricsAsync(server))[("minio_cluster_health_status", "")]);

        File.Delete(Path.Combine(disk.Path, "filler"));
        Assert.Equal(200, (await SendAsync(server, "GET", "/minio/health/ready")).Status);
        Assert.Equal(200, (await SignedRequests.SendAsync(server, "PUT", "/full/stored", new byte[64 * 1024])).Status);
    }

    private static async Task<RawResponse> SendAsync(TestServer server, string method, string path)
    {
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true);
        await client.SendAsync($"{method} {path} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: 0\r\n\r\n");
        return await client.ReadResponseAsync(head: method == "HEAD");
    }
}
