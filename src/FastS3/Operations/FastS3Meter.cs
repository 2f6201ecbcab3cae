using System.Diagnostics.Metrics;
using FastS3.Api;
using FastS3.Http.Metrics;
using FastS3.Storage;

namespace FastS3.Operations;

/// <summary>
/// The same counters as the Prometheus exposition, as observable instruments of a
/// <see cref="Meter"/> named "FastS3", for .NET's own tools (<c>dotnet-counters monitor --counters
/// FastS3</c>) and in-process collectors such as OpenTelemetry. Observed only when a listener
/// collects, so it costs requests nothing.
/// </summary>
internal sealed class FastS3Meter : IDisposable
{
    public const string Name = "FastS3";

    private readonly Meter _meter = new(Name);

    public FastS3Meter(S3Metrics s3, TransportMetrics transport, IndexCounters index)
    {
        _meter.CreateObservableCounter("fasts3.s3.requests", () => PerApi(s3.RequestCount), "{request}", "S3 requests answered, by API");
        _meter.CreateObservableCounter("fasts3.s3.errors.4xx", () => PerApi(s3.Errors4xxCount), "{request}", "S3 requests answered with a 4xx status");
        _meter.CreateObservableCounter("fasts3.s3.errors.5xx", () => PerApi(s3.Errors5xxCount), "{request}", "S3 requests answered with a 5xx status");
        _meter.CreateObservableUpDownCounter("fasts3.s3.inflight", () => PerApi(s3.InflightCount), "{request}", "S3 requests being served now");
        _meter.CreateObservableCounter("fasts3.s3.sse_c", () => PerApi(s3.SseCCount), "{request}", "S3 requests carrying an SSE-C customer key");
        _meter.CreateObservableCounter("fasts3.transport.received", () => transport.BytesReceived, "By", "Bytes received from clients, on the wire");
        _meter.CreateObservableCounter("fasts3.transport.sent", () => transport.BytesSent, "By", "Bytes sent to clients, on the wire");
        _meter.CreateObservableUpDownCounter("fasts3.connections.open", () => transport.ConnectionsOpen, "{connection}", "Client connections open");
        _meter.CreateObservableCounter("fasts3.connections.refused", () => transport.ConnectionsRefused, "{connection}", "Client connections refused for the connection limit");
        _meter.CreateObservableCounter("fasts3.tls.handshakes", () => transport.TlsHandshakesCompleted, "{handshake}", "TLS handshakes completed");
        _meter.CreateObservableCounter("fasts3.tls.handshake_failures", () => transport.TlsHandshakesFailed, "{handshake}", "TLS handshakes failed or abandoned");
        _meter.CreateObservableCounter("fasts3.index.commit_groups", () => index.CommitGroups, "{group}", "Index group commits made durable");
        _meter.CreateObservableCounter("fasts3.index.committed_writes", () => index.CommittedWrites, "{write}", "Index writes committed");
        _meter.CreateObservableCounter("fasts3.index.compactions", () => index.Compactions, "{compaction}", "Index table compactions");
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> PerApi(Func<S3Operation, long> value)
    {
        foreach (S3Operation operation in OperationNames.All)
        {
            if (value(operation) is not 0 and long count)
            {
                yield return new Measurement<long>(count, new KeyValuePair<string, object?>("api", OperationNames.ApiLabel(operation)));
            }
        }
    }
}
