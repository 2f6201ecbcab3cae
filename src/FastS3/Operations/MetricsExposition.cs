using System.Globalization;
using FastS3.Api;
using FastS3.Http.Metrics;
using FastS3.Storage;

namespace FastS3.Operations;

/// <summary>
/// The metrics in Prometheus text, under MinIO's v2 names and labels wherever MinIO has a name
/// for the figure (so its dashboards and alerts work unchanged), <c>fasts3_*</c> for the rest. One
/// node is the whole cluster, so every endpoint serves the same families. Where MinIO's declared
/// type contradicts its own name (a counter without <c>_total</c>, a gauge with it, a gauge with
/// an <c>le</c> label) the family is declared <c>untyped</c>: the name is what dashboards match,
/// and the exposition stays clean for <c>promtool check metrics</c>. No sample carries an object
/// key or a secret; bucket labels name only buckets that exist, at most <see cref="MaxBucketSeries"/>.
/// </summary>
internal sealed class MetricsExposition(S3Metrics s3, TransportMetrics transport, Store store, IndexCounters index, ServerHealth health, AccessLogFile? accessLog, KeyRewrap? rewrap, Func<string> server)
{
    /// <summary>Buckets given series of their own; totals count them all.</summary>
    public const int MaxBucketSeries = 1000;

    private const string Counter = "counter";
    private const string Gauge = "gauge";
    private const string Untyped = "untyped";

    private static readonly string[] TtfbLabels = [.. S3Metrics.TtfbBounds.Select(b => b.ToString("F3", CultureInfo.InvariantCulture)), "+Inf"];

    private readonly BucketUsage _usage = new(store);
    private readonly Lazy<string> _labels = new(() => PrometheusText.Labels(("server", server())));

    public async Task<byte[]> RenderAsync()
    {
        var text = new PrometheusText(_labels.Value);
        WriteRequests(text);
        WriteTraffic(text);
        await WriteUsageAsync(text);
        WriteNode(text);
        WriteTransport(text);
        WriteRuntime(text);
        return text.ToUtf8();
    }

    private void WriteRequests(PrometheusText text)
    {
        S3Operation[] seen = [.. OperationNames.All.Where(o => s3.RequestCount(o) > 0 || s3.InflightCount(o) > 0)];
        PerApi(text, seen, "minio_s3_requests_total", Counter, "S3 requests answered, by API", s3.RequestCount);
        PerApi(text, seen, "minio_s3_requests_errors_total", Counter, "S3 requests answered with a 4xx or 5xx status", o => s3.Errors4xxCount(o) + s3.Errors5xxCount(o));
        PerApi(text, seen, "minio_s3_requests_4xx_errors_total", Counter, "S3 requests answered with a 4xx status", s3.Errors4xxCount);
        PerApi(text, seen, "minio_s3_requests_5xx_errors_total", Counter, "S3 requests answered with a 5xx status", s3.Errors5xxCount);
        PerApi(text, seen, "minio_s3_requests_inflight_total", Untyped, "S3 requests being served now", s3.InflightCount);
        PerApi(text, seen, "fasts3_ssec_requests_total", Counter, "S3 requests carrying an SSE-C customer key", s3.SseCCount);

        const string ttfb = "minio_s3_requests_ttfb_seconds_distribution";
        text.Family(ttfb, Untyped, "S3 requests by time to their first response byte, cumulative (le in seconds)");
        foreach (S3Operation operation in seen)
        {
            long cumulative = 0;
            for (int bucket = 0; bucket < TtfbLabels.Length; bucket++)
            {
                cumulative += s3.TtfbCount(operation, bucket);
                text.Sample(ttfb, cumulative, ("api", OperationNames.ApiLabel(operation)), ("le", TtfbLabels[bucket]));
            }
        }

        (string Reason, long Count)[] authFailures = [.. s3.AuthFailures()];
        text.Single("minio_s3_requests_rejected_auth_total", Counter, "S3 requests refused by signature verification", authFailures.Sum(f => f.Count));
        text.Family("fasts3_sigv4_failures_total", Counter, "S3 requests refused by signature verification, by the S3 error code answered");
        foreach ((string reason, long count) in authFailures)
        {
            text.Sample("fasts3_sigv4_failures_total", count, ("reason", reason));
        }
    }

    private static void PerApi(PrometheusText text, S3Operation[] operations, string name, string type, string help, Func<S3Operation, long> value)
    {
        text.Family(name, type, help);
        foreach (S3Operation operation in operations)
        {
            text.Sample(name, value(operation), ("api", OperationNames.ApiLabel(operation)));
        }
    }

    private void WriteTraffic(PrometheusText text)
    {
        text.Single("minio_s3_traffic_received_bytes", Untyped, "Bytes received from clients, on the wire", transport.BytesReceived);
        text.Single("minio_s3_traffic_sent_bytes", Untyped, "Bytes sent to clients, on the wire", transport.BytesSent);
    }

    private async Task WriteUsageAsync(PrometheusText text)
    {
        BucketUsage.Snapshot? usage = await _usage.GetAsync();
        if (usage is null)
        {
            return;
        }

        text.Single("minio_cluster_bucket_total", Untyped, "Buckets", usage.Buckets.Count);
        text.Single("minio_cluster_usage_object_total", Untyped, "Objects in all buckets", usage.Buckets.Sum(b => b.Objects));
        text.Single("minio_cluster_usage_total_bytes", Gauge, "Bytes of all objects, at their sizes as clients see them", usage.Buckets.Sum(b => b.Bytes));
        var shown = usage.Buckets.Take(MaxBucketSeries).ToList();
        text.Family("minio_bucket_usage_object_total", Untyped, "Objects in the bucket");
        foreach ((string bucket, long objects, _) in shown)
        {
            text.Sample("minio_bucket_usage_object_total", objects, ("bucket", bucket));
        }

        text.Family("minio_bucket_usage_total_bytes", Gauge, "Bytes of the bucket's objects, at their sizes as clients see them");
        foreach ((string bucket, _, long bytes) in shown)
        {
            text.Sample("minio_bucket_usage_total_bytes", bytes, ("bucket", bucket));
        }
    }

    private void WriteNode(PrometheusText text)
    {
        // One drive (DATA_DIR's file system) on one node: raw and usable capacity are the same.
        (long total, long free) = store.Space();
        text.Single("minio_cluster_capacity_raw_total_bytes", Gauge, "Size of the file system holding DATA_DIR", total);
        text.Single("minio_cluster_capacity_raw_free_bytes", Gauge, "Bytes the server may still write on the file system holding DATA_DIR", free);
        text.Single("minio_cluster_capacity_usable_total_bytes", Gauge, "Size of the file system holding DATA_DIR (one drive, no parity)", total);
        text.Single("minio_cluster_capacity_usable_free_bytes", Gauge, "Bytes the server may still write on DATA_DIR (one drive, no parity)", free);
        text.Single("minio_cluster_drive_online_total", Untyped, "Drives serving (DATA_DIR is the one drive)", 1);
        text.Single("minio_cluster_drive_offline_total", Untyped, "Drives not serving", 0);
        text.Single("minio_cluster_drive_total", Untyped, "Drives", 1);
        text.Single("minio_cluster_nodes_online_total", Untyped, "Nodes serving (this one)", 1);
        text.Single("minio_cluster_nodes_offline_total", Untyped, "Nodes not serving", 0);
        text.Single("minio_cluster_health_status", Gauge, "1 when the node can take writes (the ready probe answers 200), 0 otherwise", health.NotReadyReason() is null ? 1 : 0);

        (string, string) drive = ("drive", store.Location);
        text.Family("minio_node_drive_total_bytes", Gauge, "Size of the drive's file system");
        text.Sample("minio_node_drive_total_bytes", total, drive);
        text.Family("minio_node_drive_free_bytes", Gauge, "Bytes the server may still write on the drive");
        text.Sample("minio_node_drive_free_bytes", free, drive);
        text.Family("minio_node_drive_used_bytes", Gauge, "Bytes of the drive's file system not available to the server");
        text.Sample("minio_node_drive_used_bytes", total - free, drive);
        text.Single("minio_node_drive_online_total", Untyped, "Drives of this node serving", 1);
        text.Single("minio_node_drive_offline_total", Untyped, "Drives of this node not serving", 0);
        text.Single("minio_node_drive_total", Untyped, "Drives of this node", 1);

        text.Single("minio_node_process_starttime_seconds", Gauge, "When the server process started, in seconds since the Unix epoch", ProcessStats.StartTime);
        text.Single("minio_node_process_uptime_seconds", Gauge, "Seconds since the server process started", (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0) - ProcessStats.StartTime);
        text.Single("minio_node_process_cpu_total_seconds", Untyped, "CPU seconds the process has used, user and system", Environment.CpuUsage.TotalTime.TotalSeconds);
        if (ProcessStats.Memory() is (long resident, long virtualBytes))
        {
            text.Single("minio_node_process_resident_memory_bytes", Gauge, "Bytes of memory resident (/proc/self/statm)", resident);
            text.Single("minio_node_process_virtual_memory_bytes", Gauge, "Bytes of address space mapped (/proc/self/statm)", virtualBytes);
        }

        if (ProcessStats.OpenFiles() is int open)
        {
            text.Single("minio_node_file_descriptor_open_total", Untyped, "File descriptors the process has open", open);
        }

        if (ProcessStats.OpenFilesLimit() is long limit)
        {
            text.Single("minio_node_file_descriptor_limit_total", Untyped, "The process's soft limit on open file descriptors", limit);
        }

        Dictionary<string, long> io = ProcessStats.Io();
        Io(text, io, "rchar", "minio_node_io_rchar_bytes", Untyped, "Bytes the process read through system calls, page cache hits included (/proc/self/io rchar)");
        Io(text, io, "wchar", "minio_node_io_wchar_bytes", Untyped, "Bytes the process wrote through system calls, into the page cache included (/proc/self/io wchar)");
        Io(text, io, "read_bytes", "minio_node_io_read_bytes", Untyped, "Bytes the process caused to be read from storage devices (/proc/self/io read_bytes)");
        Io(text, io, "write_bytes", "minio_node_io_write_bytes", Untyped, "Bytes the process caused to be written to storage devices (/proc/self/io write_bytes)");
        Io(text, io, "syscr", "minio_node_syscall_read_total", Counter, "Read system calls made (/proc/self/io syscr)");
        Io(text, io, "syscw", "minio_node_syscall_write_total", Counter, "Write system calls made (/proc/self/io syscw)");
    }

    private static void Io(PrometheusText text, Dictionary<string, long> io, string field, string name, string type, string help)
    {
        if (io.TryGetValue(field, out long value))
        {
            text.Single(name, type, help, value);
        }
    }

    private void WriteTransport(PrometheusText text)
    {
        text.Single("fasts3_connections_open", Gauge, "Client connections open, lingering ones included", transport.ConnectionsOpen);
        text.Single("fasts3_connections_accepted_total", Counter, "Client connections accepted", transport.ConnectionsAccepted);
        text.Single("fasts3_connections_refused_total", Counter, "Client connections refused at accept for the connection limit", transport.ConnectionsRefused);
        text.Single("fasts3_tls_handshakes_total", Counter, "TLS handshakes completed", transport.TlsHandshakesCompleted);
        text.Single("fasts3_tls_handshake_failures_total", Counter, "TLS handshakes that failed, timed out or were abandoned", transport.TlsHandshakesFailed);
        text.Single("fasts3_access_log_dropped_lines_total", Counter, "Access-log lines dropped: the log's buffer full, or its disk", accessLog?.Queue.DroppedLines ?? 0);
        text.Single("fasts3_kms_rewrap_records_scanned_total", Counter, "Records the KMS re-wrap looked at after key rotations", rewrap?.Scanned ?? 0);
        text.Single("fasts3_kms_rewrap_records_moved_total", Counter, "Records whose sealed keys the KMS re-wrap moved to the newest key version", rewrap?.Rewrapped ?? 0);
        text.Single("fasts3_kms_rewrap_pending", Gauge, "1 while a KMS re-wrap pass is under way or waits to resume", rewrap?.Pending == true ? 1 : 0);
        text.Single("fasts3_index_commit_groups_total", Counter, "Index write-ahead-log group commits made durable", index.CommitGroups);
        text.Single("fasts3_index_committed_writes_total", Counter, "Index writes committed (divided by the groups: the mean group-commit size)", index.CommittedWrites);
        text.Single("fasts3_index_flushes_total", Counter, "Index memtables flushed to tables", index.Flushes);
        text.Single("fasts3_index_compactions_total", Counter, "Index table compactions", index.Compactions);
    }

    private static void WriteRuntime(PrometheusText text)
    {
        GCMemoryInfo gc = GC.GetGCMemoryInfo();
        text.Single("fasts3_gc_heap_bytes", Gauge, "Managed heap size after the last garbage collection", gc.HeapSizeBytes);
        text.Single("fasts3_gc_allocated_bytes_total", Counter, "Managed bytes allocated since start", GC.GetTotalAllocatedBytes());
        text.Single("fasts3_gc_pause_seconds_total", Counter, "Time the runtime was paused for garbage collection", GC.GetTotalPauseDuration().TotalSeconds);
        text.Family("fasts3_gc_collections_total", Counter, "Garbage collections by generation");
        for (int generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            text.Sample("fasts3_gc_collections_total", GC.CollectionCount(generation), ("generation", generation.ToString(CultureInfo.InvariantCulture)));
        }
    }
}
