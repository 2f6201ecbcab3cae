using System.Net;
using System.Net.Security;

namespace FastS3.Load.Client;

/// <summary>
/// One SocketsHttpHandler per target, sized to the connection count and stripped of everything a load generator
/// does not need. It is driven through HttpMessageInvoker, not HttpClient, which would add a timeout
/// CancellationTokenSource and response buffering to every request.
/// </summary>
internal static class HttpTransport
{
    public static HttpMessageInvoker Create(int connections, bool insecure)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxResponseHeadersLength = 64,
            SslOptions = new SslClientAuthenticationOptions
            {
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                RemoteCertificateValidationCallback = insecure ? static (_, _, _, _) => true : null,
            },
        };
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public static HttpRequestMessage Request(HttpMethod method, Uri uri) => new(method, uri)
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };
}
