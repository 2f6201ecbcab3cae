using System.Diagnostics;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// Publishes fasts3 as one native AOT binary (zero AOT/trim warnings allowed) and talks to it over
/// HTTPS. The publish is incremental, so it is quick when nothing changed.
/// </summary>
[Trait("Store", "Disk")]
public class NativeAotTests
{
    /// <summary>The published binary; shared with <see cref="KeyHygieneTests"/>, which inspects it as shipped.</summary>
    internal static readonly Lazy<Task<string>> Binary = new(PublishAsync);

    private static async Task<string> PublishAsync()
    {
        string root = Processes.RepositoryRoot();
        string output = Path.Combine(root, "artifacts", "aot");
        var start = new ProcessStartInfo("dotnet", ["publish", Path.Combine(root, "src", "FastS3", "FastS3.csproj"), "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo"]);
        var (exit, stdout, stderr) = await Processes.RunAsync(start, TimeSpan.FromMinutes(8));
        Assert.True(exit == 0, stdout + stderr);
        Assert.DoesNotContain("warning", stdout + stderr, StringComparison.OrdinalIgnoreCase);
        return Path.Combine(output, "fasts3");
    }

    [Fact]
    public async Task NativeBinaryServesHttps()
    {
        string binary = await Binary.Value;
        Assert.True(File.Exists(binary));

        await using ServerProcess server = await ServerProcess.StartAsync(binary);
        var (exit, stdout, stderr) = await Processes.CurlAsync("--cacert", Path.Combine(server.CertsDir, "public.crt"), "--write-out", "\n%{http_code} %{ssl_verify_result}", new Uri(server.BaseUrl, "/my-bucket").ToString());
        Assert.True(exit == 0, stderr);
        Assert.Contains("<Code>AccessDenied</Code>", stdout);
        Assert.EndsWith("403 0", stdout.TrimEnd());
        Assert.Equal(0, await server.StopAsync());
    }

    /// <summary>The probes, and the metrics read with the token the binary's own prometheus-config prints (JSON, HMAC, enum names: all trimmed code paths).</summary>
    [Fact]
    public async Task NativeBinaryServesProbesAndMetrics()
    {
        string binary = await Binary.Value;
        await using ServerProcess server = await ServerProcess.StartAsync(binary);
        Assert.Equal(200, (await Operations.Scrape.GetAsync(server, "/minio/health/ready")).Status);
        await RawMultipart.CreateBucketAsync(server, "aot-metrics");
        await RawMultipart.PutObjectAsync(server, "aot-metrics", "object", [1, 2, 3]);

        string token = Operations.Scrape.TokenOf(await Operations.Scrape.GeneratedConfigAsync(binary, server));
        RawResponse metrics = await Operations.Scrape.GetAsync(server, "/minio/v2/metrics/cluster", $"Authorization: Bearer {token}");
        Assert.Equal(200, metrics.Status);
        Dictionary<(string Name, string Labels), double> samples = Operations.Scrape.Samples(metrics.BodyText);
        Assert.Equal(1, samples[("minio_s3_requests_total", "api=\"putobject\"")]);
        Assert.Equal(1, samples[("minio_bucket_usage_object_total", "bucket=\"aot-metrics\"")]);
        Assert.True(samples[("minio_node_process_resident_memory_bytes", "")] > 0);
        Assert.Equal(0, await server.StopAsync());
    }

    [Fact]
    public async Task NativeBinaryRunsCertgen()
    {
        string binary = await Binary.Value;
        string directory = Directory.CreateTempSubdirectory("fasts3-aot-certgen-").FullName;
        var (exit, stdout, stderr) = await Processes.RunAsync(ServerProcess.Command(binary, ["certgen", "--host", "localhost,127.0.0.1", "--out", directory]));
        Assert.True(exit == 0, stderr);
        Assert.True(File.Exists(Path.Combine(directory, "public.crt")));
        Assert.Contains("SHA-256 fingerprint", stdout);
    }

    [Fact]
    public async Task SeedSseCWalkthroughOnTheNativeBinary()
    {
        string binary = await Binary.Value;
        string work = Directory.CreateTempSubdirectory("fasts3-aot-ssec-").FullName;
        try
        {
            await using ServerProcess server = await ServerProcess.StartAsync(binary);
            await SseCTests.RunSeedWalkthroughAsync(server, work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
