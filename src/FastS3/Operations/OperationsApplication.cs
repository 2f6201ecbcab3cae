using System.Runtime.CompilerServices;
using System.Text;
using FastS3.Api;
using FastS3.Basics;
using FastS3.Http;
using FastS3.KmsApi;

namespace FastS3.Operations;

/// <summary>
/// The server's front door: the operator endpoints (health probes, metrics), matched exactly
/// before any S3 work and without authentication for the probes, then the KMS API for what names a
/// KMS operation (<c>POST /</c> with <c>X-Amz-Target: TrentService.*</c>, no bucket), then S3 for
/// everything else. Probes do no body work and log nothing.
/// </summary>
internal sealed class OperationsApplication(S3Application s3, KmsApplication kms, VirtualHost virtualHost, ServerHealth health, MetricsExposition metrics, MetricsAccess access) : IHttpApplication
{
    private static readonly byte[] ReasonHeader = "x-fasts3-health-reason"u8.ToArray();

    private static readonly byte[] MetricsContentType = Encoding.ASCII.GetBytes(PrometheusText.ContentType);

    public ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
    {
        OperationsEndpoint endpoint = OperationsRoutes.Match(request.Method, request.Path, request.Query);
        if (endpoint == OperationsEndpoint.None || virtualHost.BucketLength(request.Host) > 0)
        {
            return IsKms(request) ? kms.ProcessAsync(request, response) : s3.ProcessAsync(request, response);
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
    {
        if (IsKms(request))
        {
            kms.WriteTransportError(request, response, reason);
        }
        else
        {
            s3.WriteTransportError(request, response, reason);
        }
    }

    /// <summary>On a virtual host, / is a bucket's: a POST there is S3's whatever it carries.</summary>
    private bool IsKms(HttpRequest request) => KmsApplication.Accepts(request) && virtualHost.BucketLength(request.Host) == 0;

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
