using System.Diagnostics;
using System.Diagnostics.Metrics;
using FastS3.Auth;
using FastS3.Tests.Hosting;
using FastS3.Testing;

namespace FastS3.Tests.Operations;

/// <summary>
/// The metrics after real traffic over TLS (raw signed requests and aws-cli): counts per API, 4xx
/// answers, bytes, bucket usage; who may read them; the exposition clean for promtool and holding
/// every name MinIO's Grafana dashboard reads that applies to one node.
/// </summary>
public sealed class MetricsTests
{
    /// <summary>
    /// The metric names MinIO's published Grafana dashboard queries (minio/minio,
    /// docs/metrics/prometheus/grafana/minio-dashboard.json) that describe one node serving S3 from
    /// one drive. Left out as not applying: erasure-set, healing, scanner, KMS, inter-node and
    /// goroutine figures, and the object-size distribution.
    /// </summary>
    private static readonly string[] DashboardNames =
    [
        "minio_cluster_bucket_total", "minio_cluster_capacity_usable_free_bytes", "minio_cluster_capacity_usable_total_bytes",
        "minio_cluster_drive_offline_total", "minio_cluster_drive_online_total", "minio_cluster_health_status",
        "minio_cluster_nodes_online_total", "minio_cluster_usage_object_total", "minio_cluster_usage_total_bytes",
        "minio_node_file_descriptor_open_total", "minio_node_io_rchar_bytes", "minio_node_io_wchar_bytes",
        "minio_node_process_cpu_total_seconds", "minio_node_process_resident_memory_bytes", "minio_node_process_starttime_seconds",
        "minio_node_syscall_read_total", "minio_node_syscall_write_total",
        "minio_s3_requests_4xx_errors_total", "minio_s3_requests_5xx_errors_total", "minio_s3_requests_total",
        "minio_s3_traffic_received_bytes", "minio_s3_traffic_sent_bytes",
    ];

    [Trait("Store", "Disk")]
    [Fact]
    public async Task TrafficIsCountedPerApiWithErrorsBytesAndUsage()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "counted");
        byte[] data = new byte[100_000];
        Random.Shared.NextBytes(data);
        for (int i = 0; i < 3; i++)
        {
            await RawMultipart.PutObjectAsync(server, "counted", $"object-{i}", data);
        }

        Assert.Equal(200, (await SignedRequests.SendAsync(server, "GET", "/counted/object-0", [])).Status);
        Assert.Equal(404, (await SignedRequests.SendAsync(server, "GET", "/counted/missing", [])).Status);
        Assert.Equal(404, (await SignedRequests.SendAsync(server, "GET", "/no-such-bucket/key", [])).Status);
        Assert.Equal(403, (await Scrape.GetAsync(server, "/counted/object-0")).Status);
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "head-object", "--bucket", "counted", "--key", "object-1");
        Assert.True(exit == 0, stderr);

        Dictionary<(string, string), double> samples = Scrape.Samples(await Scrape.MetricsAsync(server));
        Assert.Equal(1, samples[("minio_s3_requests_total", "api=\"putbucket\"")]);
        Assert.Equal(3, samples[("minio_s3_requests_total", "api=\"putobject\"")]);
        Assert.Equal(4, samples[("minio_s3_requests_total", "api=\"getobject\"")]);
        Assert.Equal(1, samples[("minio_s3_requests_total", "api=\"headobject\"")]);
        Assert.Equal(3, samples[("minio_s3_requests_4xx_errors_total", "api=\"getobject\"")]);
        Assert.Equal(3, samples[("minio_s3_requests_errors_total", "api=\"getobject\"")]);
        Assert.Equal(0, samples[("minio_s3_requests_5xx_errors_total", "api=\"getobject\"")]);
        Assert.Equal(0, samples[("minio_s3_requests_4xx_errors_total", "api=\"putobject\"")]);
        Assert.Equal(0, samples[("minio_s3_requests_inflight_total", "api=\"putobject\"")]);
        Assert.Equal(1, samples[("minio_s3_requests_rejected_auth_total", "")]);
        Assert.Equal(1, samples[("fasts3_sigv4_failures_total", "reason=\"AccessDenied\"")]);

        // The time-to-first-byte buckets are cumulative and end with every request.
        double[] ttfb = [.. samples.Where(s => s.Key.Item1 == "minio_s3_requests_ttfb_seconds_distribution" && s.Key.Item2.StartsWith("api=\"putobject\"", StringComparison.Ordinal))
            .OrderBy(s => s.Key.Item2.EndsWith("+Inf\"", StringComparison.Ordinal) ? double.MaxValue : double.Parse(s.Key.Item2.Split('"')[3], System.Globalization.CultureInfo.InvariantCulture))
            .Select(s => s.Value)];
        Assert.Equal(9, ttfb.Length);
        Assert.Equal(ttfb.Order(), ttfb);
        Assert.Equal(3, ttfb[^1]);

        // On the wire: at least the uploaded and downloaded bodies.
        Assert.InRange(samples[("minio_s3_traffic_received_bytes", "")], 3 * data.Length, 3 * data.Length + 100_000);
        Assert.InRange(samples[("minio_s3_traffic_sent_bytes", "")], data.Length, data.Length + 100_000);
        Assert.True(samples[("fasts3_tls_handshakes_total", "")] >= 9);
        Assert.True(samples[("fasts3_index_committed_writes_total", "")] >= 3);

        Assert.Equal(3, samples[("minio_bucket_usage_object_total", "bucket=\"counted\"")]);
        Assert.Equal(3 * data.Length, samples[("minio_bucket_usage_total_bytes", "bucket=\"counted\"")]);
        Assert.Equal(1, samples[("minio_cluster_bucket_total", "")]);
        Assert.Equal(3, samples[("minio_cluster_usage_object_total", "")]);

        // No object key, and no bucket that does not exist, reaches a label.
        string exposition = await Scrape.MetricsAsync(server);
        Assert.DoesNotContain("object-0", exposition);
        Assert.DoesNotContain("no-such-bucket", exposition);
    }

    /// <summary>The api label is MinIO's name for the API where it differs from S3's (its dashboards filter on these), ours where MinIO has none.</summary>
    [Fact]
    public async Task ApisAreLabelledWithMinioNames()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "named");
        string uploadId = await RawMultipart.CreateAsync(server, "named", "big");
        string etag = await RawMultipart.UploadPartAsync(server, "named", "big", uploadId, 1, [1, 2, 3]);
        Assert.Equal(200, (await RawMultipart.ListPartsAsync(server, "named", "big", uploadId)).Status);
        Assert.Equal(200, (await RawMultipart.CompleteAsync(server, "named", "big", uploadId, [new RawMultipart.Part(1, etag)])).Status);
        Assert.Equal(200, (await SignedRequests.SendAsync(server, "GET", "/named?list-type=2", [])).Status);
        Assert.Equal(501, (await SignedRequests.SendAsync(server, "GET", "/named?cors", [])).Status);

        Dictionary<(string, string), double> samples = Scrape.Samples(await Scrape.MetricsAsync(server));
        foreach (string api in new[] { "putbucket", "newmultipartupload", "putobjectpart", "listobjectparts", "completemultipartupload", "listobjectsv2", "notimplemented" })
        {
            Assert.True(samples.GetValueOrDefault(("minio_s3_requests_total", $"api=\"{api}\"")) == 1, api);
        }

        Assert.DoesNotContain(("minio_s3_requests_total", "api=\"createmultipartupload\""), samples.Keys);
    }

    /// <summary>
    /// An exception no S3 error stands for (here a data item gone from under the store) is answered
    /// 500 by the transport, and counted and logged as that, not as the 200 the response held.
    /// </summary>
    [Fact]
    public async Task AnExceptionThatEscapesARequestCountsAsA5xx()
    {
        string logFile = Path.Combine(Path.GetTempPath(), $"fasts3-escaped-{Guid.NewGuid():N}.log");
        try
        {
            await using (InProcessServer server = await InProcessServer.StartAsync(extraArguments: ["--access-log", logFile]))
            {
                await RawMultipart.CreateBucketAsync(server, "broken");
                await RawMultipart.PutObjectAsync(server, "broken", "lost", new byte[100_000]);
                foreach (DataItem item in server.Stored.DataItems("broken"))
                {
                    server.Stored.Delete("broken", item);
                }

                Assert.Equal(500, (await SignedRequests.SendAsync(server, "GET", "/broken/lost", [])).Status);
                Dictionary<(string, string), double> samples = Scrape.Samples(await Scrape.MetricsAsync(server));
                Assert.Equal(1, samples[("minio_s3_requests_5xx_errors_total", "api=\"getobject\"")]);
                Assert.Equal(1, samples[("minio_s3_requests_errors_total", "api=\"getobject\"")]);
            }

            string line = File.ReadLines(logFile).Single(l => l.Contains("\"GetObject\"", StringComparison.Ordinal));
            Assert.Contains("\"httpStatus\":500", line);
            Assert.Contains("\"errorCode\":\"InternalError\"", line);
        }
        finally
        {
            File.Delete(logFile);
        }
    }

    [Fact]
    public async Task OnlyATokenOrASignatureOfTheRootKeyReadsTheMetrics()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        string valid = Scrape.Token;
        string[] refused =
        [
            "",
            "Authorization: Bearer ",
            "Authorization: Bearer not-a-token",
            $"Authorization: Bearer {PrometheusToken.Create(AwsCli.AccessKey, "another-secret-key", DateTimeOffset.UtcNow.AddDays(1))}",
            $"Authorization: Bearer {PrometheusToken.Create("another-user", AwsCli.SecretKey, DateTimeOffset.UtcNow.AddDays(1))}",
            $"Authorization: Bearer {PrometheusToken.Create(AwsCli.AccessKey, AwsCli.SecretKey, DateTimeOffset.UtcNow.AddMinutes(-1))}",
            // Another signature; never the valid one, even when it happens to end in "AA" (about 1 run in 1000).
            $"Authorization: Bearer {valid[..^2]}{(valid.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA")}",
            $"Authorization: Bearer {Unsigned(valid)}",
        ];
        foreach (string path in new[] { "/minio/v2/metrics/cluster", "/minio/v2/metrics/node", "/metrics" })
        {
            foreach (string header in refused)
            {
                RawResponse response = await Scrape.GetAsync(server, path, header.Length == 0 ? [] : [header]);
                Assert.True(response.Status == 403, $"{path} with '{header}': {response.Status}");
                Assert.Equal("AccessDenied", response.ErrorCode());
            }

            Assert.Equal(200, (await Scrape.GetAsync(server, path, $"Authorization: Bearer {valid}")).Status);
            Assert.Equal(200, (await SignedRequests.SendAsync(server, "GET", path, [])).Status);
        }

        // The token `fasts3 admin prometheus-config` prints, from the executable.
        string config = await Scrape.GeneratedConfigAsync(null, server);
        Assert.Contains($"- targets: ['{server.BaseUrl.Authority}']", config);
        Assert.Contains("metrics_path: /minio/v2/metrics/cluster", config);
        Assert.Equal(200, (await Scrape.GetAsync(server, "/minio/v2/metrics/cluster", $"Authorization: Bearer {Scrape.TokenOf(config)}")).Status);
    }

    [Fact]
    public async Task PublicMetricsNeedNoToken()
    {
        await using InProcessServer server = await InProcessServer.StartAsync(environment: new Dictionary<string, string> { ["FASTS3_PROMETHEUS_AUTH_TYPE"] = "public" });
        RawResponse response = await Scrape.GetAsync(server, "/minio/v2/metrics/cluster");
        Assert.Equal(200, response.Status);
        Assert.Contains("# TYPE minio_s3_requests_total counter", response.BodyText);

        // Public metrics open nothing else.
        Assert.Equal(403, (await Scrape.GetAsync(server, "/")).Status);
    }

    [PrometheusFact]
    public async Task TheExpositionIsCleanForPromtoolAndHasTheDashboardsNames()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "dashboard");
        await RawMultipart.PutObjectAsync(server, "dashboard", "one", [1, 2, 3]);
        Assert.Equal(404, (await SignedRequests.SendAsync(server, "GET", "/dashboard/missing", [])).Status);
        string exposition = await Scrape.MetricsAsync(server);

        HashSet<string> families = Scrape.Families(exposition);
        Assert.Equal([], DashboardNames.Except(families).ToArray());

        string file = Path.Combine(server.DataDir, "..", "metrics.txt");
        await File.WriteAllTextAsync(file, exposition);
        var (exit, stdout, stderr) = await Processes.RunAsync(new ProcessStartInfo("sh", ["-c", $"promtool check metrics < '{file}'"]));
        Assert.True(exit == 0, $"promtool: {stdout}{stderr}");
    }

    [Fact]
    public async Task TheMeterCarriesTheSameCounts()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "metered");
        var seen = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "FastS3")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "fasts3.s3.requests" && tags.ToArray().Any(t => t.Key == "api" && (string?)t.Value == "putbucket"))
            {
                seen["putbucket"] = seen.GetValueOrDefault("putbucket") + value;
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.True(seen.GetValueOrDefault("putbucket") >= 1);
    }

    /// <summary>The token with its header claiming no signature algorithm, the signature left as it was.</summary>
    private static string Unsigned(string token)
    {
        string[] parts = token.Split('.');
        return $"{System.Buffers.Text.Base64Url.EncodeToString("""{"alg":"none","typ":"JWT"}"""u8)}.{parts[1]}.{parts[2]}";
    }
}
