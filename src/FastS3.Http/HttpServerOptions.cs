using System.Net;
using System.Net.Security;

namespace FastS3.Http;

public sealed class HttpServerOptions
{
    private volatile SslStreamCertificateContext? _certificate;

    /// <summary>Where to listen; IPv6Any listens dual-stack (IPv4 too).</summary>
    public IList<IPEndPoint> EndPoints { get; } = new List<IPEndPoint>();

    /// <summary>
    /// Certificate for TLS; null serves plain HTTP. Read once per handshake, so replacing it (from
    /// any thread) switches new connections to the new certificate without a restart, while
    /// handshakes under way finish with the one they read.
    /// </summary>
    public SslStreamCertificateContext? Certificate
    {
        get => _certificate;
        set => _certificate = value;
    }

    public HttpLimits Limits { get; init; } = new();

    /// <summary>Value of the Server header on every response.</summary>
    public string ServerName { get; init; } = "FastS3";

    public IServerLog Log { get; init; } = NullServerLog.Instance;

    /// <summary>Where the server counts connections, TLS handshakes and bytes.</summary>
    public Metrics.TransportMetrics Metrics { get; init; } = new();
}
