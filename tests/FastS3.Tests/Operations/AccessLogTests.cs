using System.Text.Json;
using System.Web;
using FastS3.Tests.Hosting;
using FastS3.Testing;

namespace FastS3.Tests.Operations;

/// <summary>
/// --access-log: one JSON line per request with AWS's access-log field names, never a secret;
/// SIGHUP reopens the path; a full disk drops lines and counts them without holding requests up.
/// </summary>
public sealed class AccessLogTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("fasts3-access-log-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task LinesForSuccessErrorsSseCAndPresignedRequestsHoldNoSecret()
    {
        string logFile = Path.Combine(_work, "access.log");
        var keys = new CustomerKeys(1);
        string[] sseC =
        [
            "x-amz-server-side-encryption-customer-algorithm:AES256",
            $"x-amz-server-side-encryption-customer-key:{keys.Base64(0)}",
            $"x-amz-server-side-encryption-customer-key-MD5:{keys.Md5(0)}",
        ];
        string presigned;
        await using (InProcessServer server = await InProcessServer.StartAsync(extraArguments: ["--access-log", logFile]))
        {
            await RawMultipart.CreateBucketAsync(server, "logged");
            Assert.Equal(200, (await SignedRequests.SendAsync(server, "PUT", "/logged/plain%20key", new byte[1000])).Status);
            Assert.Equal(200, (await SignedRequests.SendAsync(server, "PUT", "/logged/secret", new byte[2000], sseC)).Status);
            Assert.Equal(200, (await SignedRequests.SendAsync(server, "GET", "/logged/secret", [], sseC)).Status);
            Assert.Equal(206, (await SignedRequests.SendAsync(server, "GET", "/logged/plain%20key", [], "range:bytes=0-9")).Status);
            Assert.Equal(404, (await SignedRequests.SendAsync(server, "GET", "/logged/missing", [])).Status);
            Assert.Equal(403, (await Scrape.GetAsync(server, "/logged/plain%20key")).Status);

            // A request refused before its signature is looked at, after a signed one on the same connection, names no requester.
            using (RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true))
            {
                string signed = await PersistentSigner.SignAsync("GET", new Uri(server.BaseUrl, "/logged/missing"), null, []);
                await client.SendAsync($"GET /logged/missing HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: 0\r\n{signed}\r\n");
                Assert.Equal(404, (await client.ReadResponseAsync()).Status);
                await client.SendAsync($"GET /a HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\n\r\n");
                Assert.Equal(400, (await client.ReadResponseAsync()).Status);
            }

            presigned = await Boto3.PresignAsync(server, "get_object", new Dictionary<string, string> { ["Bucket"] = "logged", ["Key"] = "plain key" });
            var (exit, stdout, stderr) = await Processes.CurlAsync("--insecure", "--output", "/dev/null", "--write-out", "%{http_code}", "--user-agent", "log-test/1.0", presigned);
            Assert.True(exit == 0 && stdout == "200", stdout + stderr);
        }

        string text = await File.ReadAllTextAsync(logFile);
        List<JsonElement> lines = [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)];
        Assert.Equal(10, lines.Count);
        Assert.All(lines, line =>
        {
            Assert.True(DateTime.TryParse(line.GetProperty("time").GetString(), out _));
            Assert.Equal(16, line.GetProperty("requestId").GetString()!.Length);
            Assert.Equal("127.0.0.1", line.GetProperty("remoteIp").GetString());
            Assert.Equal("TLSv1.3", line.GetProperty("tlsVersion").GetString());
        });

        JsonElement put = Single(lines, "PutObject", "plain key");
        Assert.Equal(200, put.GetProperty("httpStatus").GetInt32());
        Assert.Equal("logged", put.GetProperty("bucket").GetString());
        Assert.Equal(AwsCli.AccessKey, put.GetProperty("requester").GetString());
        Assert.Equal("AuthHeader", put.GetProperty("authenticationType").GetString());
        Assert.Equal(1000, put.GetProperty("bytesReceived").GetInt64());
        Assert.False(put.TryGetProperty("errorCode", out _));
        Assert.False(put.TryGetProperty("encryption", out _));
        Assert.Equal(1000, put.GetProperty("objectSize").GetInt64());

        // objectSize is the whole object's, whatever part of it was sent.
        JsonElement ranged = lines.Single(l => l.GetProperty("httpStatus").GetInt32() == 206);
        Assert.Equal(10, ranged.GetProperty("bytesSent").GetInt64());
        Assert.Equal(1000, ranged.GetProperty("objectSize").GetInt64());

        JsonElement sseGet = Single(lines, "GetObject", "secret");
        Assert.Equal("SSE-C", sseGet.GetProperty("encryption").GetString());
        Assert.Equal(2000, sseGet.GetProperty("bytesSent").GetInt64());
        Assert.Equal(2000, sseGet.GetProperty("objectSize").GetInt64());
        Assert.Equal("SSE-C", Single(lines, "PutObject", "secret").GetProperty("encryption").GetString());

        JsonElement invalidBucket = lines.Single(l => l.TryGetProperty("errorCode", out JsonElement code) && code.GetString() == "InvalidBucketName");
        Assert.False(invalidBucket.TryGetProperty("requester", out _));
        Assert.False(invalidBucket.TryGetProperty("bucket", out _));

        JsonElement missing = lines.First(l => l.GetProperty("operation").GetString() == "GetObject" && l.TryGetProperty("key", out JsonElement k) && k.GetString() == "missing");
        Assert.Equal(404, missing.GetProperty("httpStatus").GetInt32());
        Assert.Equal("NoSuchKey", missing.GetProperty("errorCode").GetString());
        Assert.False(missing.TryGetProperty("objectSize", out _));

        JsonElement anonymous = lines.Single(l => l.GetProperty("httpStatus").GetInt32() == 403);
        Assert.Equal("AccessDenied", anonymous.GetProperty("errorCode").GetString());
        Assert.False(anonymous.TryGetProperty("requester", out _));

        JsonElement byUrl = lines.Single(l => l.TryGetProperty("authenticationType", out JsonElement type) && type.GetString() == "QueryString");
        Assert.Equal("plain key", byUrl.GetProperty("key").GetString());
        Assert.Equal("log-test/1.0", byUrl.GetProperty("userAgent").GetString());
        Assert.True(byUrl.GetProperty("totalTime").GetDouble() >= byUrl.GetProperty("turnAroundTime").GetDouble());

        // Nothing that proves or unlocks anything: customer key and its MD5, signatures, credentials.
        string signature = HttpUtility.ParseQueryString(new Uri(presigned).Query)["X-Amz-Signature"]!;
        foreach (string secret in new[] { keys.Base64(0), keys.Md5(0), signature, AwsCli.SecretKey, "Signature=", "Credential=", "AWS4-HMAC", "Authorization", "X-Amz-", "customer-key" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Trait("Store", "Disk")]
    [Fact]
    public async Task SighupReopensThePath()
    {
        string logFile = Path.Combine(_work, "access.log");
        await using ServerProcess server = await ServerProcess.StartAsync(extraArguments: ["--access-log", logFile]);
        await RawMultipart.CreateBucketAsync(server, "rotated");
        await WaitForLinesAsync(logFile, 1);

        File.Move(logFile, logFile + ".1");
        var (exit, _, stderr) = await Processes.RunAsync("kill", "-HUP", server.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(exit == 0, stderr);

        // The reopen creates the path again; what comes after it goes there.
        for (int i = 0; i < 300 && !File.Exists(logFile); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(logFile), $"SIGHUP did not reopen the access log's path in 30 s; the server logged:\n{server.Log}");
        Assert.Equal(404, (await SignedRequests.SendAsync(server, "GET", "/rotated/after-rotation", [])).Status);

        await WaitForLinesAsync(logFile, 1);
        Assert.Contains("after-rotation", await File.ReadAllTextAsync(logFile));
        Assert.DoesNotContain("after-rotation", await File.ReadAllTextAsync(logFile + ".1"));
        Assert.Equal(0, await server.StopAsync());
    }

    /// <summary>The log on a small tmpfs that fills up (root only): requests go on at their pace, the lines lost are counted, and logging resumes with space.</summary>
    [RootFact]
    public async Task AFullDiskDropsLinesAndCountsThemWithoutHoldingRequests()
    {
        await using TmpfsMount disk = await TmpfsMount.MountAsync("1m");
        string logFile = Path.Combine(disk.Path, "access.log");
        await using InProcessServer server = await InProcessServer.StartAsync(extraArguments: ["--access-log", logFile]);

        // Filled while the log is still empty: a line written before would leave the rest of its page free, room for a few more.
        disk.Fill("filler");
        await RawMultipart.CreateBucketAsync(server, "dropped");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(404, (await SignedRequests.SendAsync(server, "GET", $"/dropped/while-full-{i}", [])).Status);
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"20 requests took {clock.Elapsed}");
        await Task.Delay(500);
        double dropped = Scrape.Samples(await Scrape.MetricsAsync(server))[("fasts3_access_log_dropped_lines_total", "")];
        Assert.InRange(dropped, 20, 22);
        Assert.Contains("access log", server.Log);

        File.Delete(Path.Combine(disk.Path, "filler"));
        Assert.Equal(404, (await SignedRequests.SendAsync(server, "GET", "/dropped/with-space", [])).Status);
        await WaitForLinesAsync(logFile, 1, containing: "with-space");
    }

    private static JsonElement Single(List<JsonElement> lines, string operation, string key)
        => lines.Single(l => l.GetProperty("operation").GetString() == operation && l.TryGetProperty("key", out JsonElement k) && k.GetString() == key);

    private static async Task WaitForLinesAsync(string file, int count, string? containing = null)
    {
        for (int i = 0; i < 100; i++)
        {
            if (File.Exists(file) && (await File.ReadAllLinesAsync(file)) is { } lines && lines.Length >= count && (containing is null || lines.Any(l => l.Contains(containing, StringComparison.Ordinal))))
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail($"{file} never held {count} line(s){(containing is null ? "" : $" with {containing}")}");
    }
}
