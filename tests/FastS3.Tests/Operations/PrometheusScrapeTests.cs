using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using FastS3.Tests.Hosting;
using FastS3.Testing;
using Xunit.Abstractions;

namespace FastS3.Tests.Operations;

/// <summary>
/// A real Prometheus (Debian's) on 127.0.0.1 scrapes FastS3 over TLS with the configuration
/// <c>fasts3 admin prometheus-config</c> prints, adapted only to trust the test's self-signed
/// certificate and to scrape every second, and its query API then reports the S3 traffic.
/// </summary>
public sealed class PrometheusScrapeTests(ITestOutputHelper output)
{
    [PrometheusFact]
    public async Task PrometheusScrapesTheServerWithTheGeneratedConfiguration()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "scraped");
        await RawMultipart.PutObjectAsync(server, "scraped", "object", [1, 2, 3]);

        string generated = await Scrape.GeneratedConfigAsync(null, server);
        string config = "global:\n  scrape_interval: 1s\n" + generated.Replace(
            "    scheme: https\n", "    scheme: https\n    tls_config:\n      insecure_skip_verify: true\n", StringComparison.Ordinal);
        string directory = Directory.CreateTempSubdirectory("fasts3-prometheus-").FullName;
        try
        {
            string configFile = Path.Combine(directory, "prometheus.yml");
            await File.WriteAllTextAsync(configFile, config);
            int port = FreePort();
            using Process prometheus = Process.Start(new ProcessStartInfo("prometheus",
            [
                $"--config.file={configFile}", $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
            ])
            { RedirectStandardError = true, RedirectStandardOutput = true })!;
            Task<string> log = prometheus.StandardError.ReadToEndAsync();
            try
            {
                using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) };
                double requests = await PollAsync(http, "sum(minio_s3_requests_total{job=\"fasts3\"})", TimeSpan.FromSeconds(60));
                Assert.True(requests >= 2, $"minio_s3_requests_total summed to {requests}");
                Assert.Equal(1, await PollAsync(http, "up{job=\"fasts3\"}", TimeSpan.FromSeconds(10)));
                Assert.Equal(1, await PollAsync(http, "minio_s3_requests_total{job=\"fasts3\",api=\"putobject\"}", TimeSpan.FromSeconds(10)));
            }
            finally
            {
                prometheus.Kill();
                await prometheus.WaitForExitAsync();
                output.WriteLine(await log);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The query's first value once it has one above zero, polling its HTTP API.</summary>
    private static async Task<double> PollAsync(HttpClient http, string query, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < within)
        {
            try
            {
                last = await http.GetStringAsync($"api/v1/query?query={Uri.EscapeDataString(query)}");
                using JsonDocument answer = JsonDocument.Parse(last);
                JsonElement result = answer.RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0 && double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) is > 0 and double value)
                {
                    return value;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"Prometheus never answered {query} with a value above 0; last answer: {last}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
