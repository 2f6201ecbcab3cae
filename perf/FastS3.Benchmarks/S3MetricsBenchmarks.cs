using BenchmarkDotNet.Attributes;
using FastS3.Api;
using FastS3.Http;

namespace FastS3.Benchmarks;

/// <summary>
/// What the metrics add to every S3 request: the in-flight increment at its start and the counts and
/// time-to-first-byte bucket at its end (<see cref="S3Metrics.OnStarted"/>, <see cref="S3Metrics.OnFinished"/>),
/// to set against a whole small GET (<see cref="SmallGetPipelineBenchmarks"/>). Must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class S3MetricsBenchmarks
{
    private readonly S3Metrics _metrics = new();
    private readonly HttpResponse _response = new HttpConnection(new HttpServer(new HttpServerOptions(), NoApplication.Instance)).Response;

    [Benchmark]
    public void RecordRequest()
    {
        _metrics.OnStarted(S3Operation.GetObject);
        _metrics.OnFinished(S3Operation.GetObject, 200, _response, System.Diagnostics.Stopwatch.GetTimestamp(), sseC: false);
    }
}
