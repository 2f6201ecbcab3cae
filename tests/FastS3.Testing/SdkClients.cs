using System.Net.Http;
using Amazon.Runtime;
using Amazon.S3;

namespace FastS3.Testing;

/// <summary>
/// AWSSDK.S3 clients for a test server: path style, us-east-1, no retries, and the server's
/// self-signed certificate trusted (as --no-verify-ssl does for aws-cli). An observer, when given,
/// sees every HTTP request the SDK sends (after signing), to check what goes on the wire;
/// <paramref name="configure"/> adjusts the rest (timeouts, checksum behaviour).
/// </summary>
public static class SdkClients
{
    public static AmazonS3Client Create(Uri baseUrl, Action<HttpRequestMessage>? observe = null, Action<AmazonS3Config>? configure = null)
    {
        var config = new AmazonS3Config
        {
            ServiceURL = baseUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            HttpClientFactory = new TrustingHttpClientFactory(observe),
            MaxErrorRetry = 0,
        };
        configure?.Invoke(config);
        return new AmazonS3Client(new BasicAWSCredentials(AwsCli.AccessKey, AwsCli.SecretKey), config);
    }

    private sealed class TrustingHttpClientFactory(Action<HttpRequestMessage>? observe) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
        {
            var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
            return observe is null ? new HttpClient(handler) : new HttpClient(new ObservingHandler(observe, handler));
        }
    }

    private sealed class ObservingHandler(Action<HttpRequestMessage> observe, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            observe(request);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
