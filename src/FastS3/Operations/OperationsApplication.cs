using System.Runtime.CompilerServices;
using System.Text;
using FastS3.Api;
using FastS3.Basics;
using FastS3.Http;

namespace FastS3.Operations;

/// <summary>
/// The server's front door: the operator endpoints (health probes, metrics), matched exactly
/// before any S3 work and without authentication for the probes, then S3 for everything else.
/// Probes do no body work and log nothing.
/// </summary>
internal sealed class OperationsApplication(S3Application s3, VirtualHost virtualHost, ServerHealth health, MetricsExposition metrics, MetricsAccess access) : IHttpApplication
{
    private static readonly byte[] ReasonHeader = "x-fasts3-health-reason"u8.ToArray();

    private static readonly byte[] MetricsContentType = Encoding.ASCII.GetBytes(PrometheusText.ContentType);

    public ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
    {
        OperationsEndpoint endpoint = OperationsRoutes.Match(request.Method, request.Path, request.Query);
        if (endpoint == OperationsEndpoint.None || virtualHost.BucketLength(request.Host) > 0)
        {
            return s3.ProcessAsync(request, response);
        }

        if (endpoint == OperationsEndpoint.Metrics)
        {
            return ServeMetricsAsync(request, response);
        }

        // Live: the process answers. Ready and cluster (one node is the cluster): it can take writes.
        if (endpoint != OperationsEndpoint.Live && health.NotReadyReason() is { } reason)
        {
            response.StatusCode = 503;
            response.Headers.Add(ReasonHeader, Encoding.ASCII.GetBytes(reason));
        }

        response.ContentLength = 0;
        return ValueTask.CompletedTask;
    }

    public void WriteTransportError(HttpRequest request, HttpResponse response, RequestRejectionReason? reason)
        => s3.WriteTransportError(request, response, reason);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ServeMetricsAsync(HttpRequest request, HttpResponse response)
    {
        S3Call call = S3Call.For(request, response);
        response.Headers.Add("x-amz-request-id"u8, call.RequestIdBytes);
        if (!access.Allows(request, call.Signature))
        {
            // MinIO's answer to a scrape without a valid token.
            call.Fail(S3Errors.AccessDenied);
            return;
        }

        byte[] body = await metrics.RenderAsync();
        response.Headers.Add("Content-Type"u8, MetricsContentType);
        response.ContentLength = body.Length;
        response.Write(body);
    }
}
