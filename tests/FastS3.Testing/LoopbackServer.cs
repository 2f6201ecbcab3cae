using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastS3.Testing;

/// <summary>A real <see cref="HttpServer"/> on 127.0.0.1 with an OS-chosen port, optionally over TLS.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private LoopbackServer(HttpServer server, string? certificatePath)
    {
        Server = server;
        CertificatePath = certificatePath;
    }

    public HttpServer Server { get; }

    public string? CertificatePath { get; }

    public int Port => Server.EndPoints[0].Port;

    public string Url(string path = "/") => $"{(CertificatePath is null ? "http" : "https")}://127.0.0.1:{Port}{path}";

    public static LoopbackServer Start(IHttpApplication app, HttpLimits? limits = null, bool tls = false)
    {
        string? certificatePath = null;
        SslStreamCertificateContext? certificate = null;
        if (tls)
        {
            (certificate, certificatePath) = TestCertificate.Create();
        }

        var options = new HttpServerOptions { Limits = limits ?? new HttpLimits(), Certificate = certificate };
        options.EndPoints.Add(new IPEndPoint(IPAddress.Loopback, 0));
        var server = new HttpServer(options, app);
        server.Start();
        return new LoopbackServer(server, certificatePath);
    }

    public async ValueTask DisposeAsync() => await Server.StopAsync();
}

/// <summary>A throwaway self-signed certificate for 127.0.0.1, with its PEM written for curl.</summary>
public static class TestCertificate
{
    private static readonly Lazy<(SslStreamCertificateContext, string)> Shared = new(Make);

    public static (SslStreamCertificateContext Context, string PemPath) Create() => Shared.Value;

    private static (SslStreamCertificateContext, string) Make()
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 ephemeral = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string directory = Directory.CreateTempSubdirectory("fasts3-http-tests-").FullName;
        string certPath = Path.Combine(directory, "cert.pem");
        string keyPath = Path.Combine(directory, "key.pem");
        File.WriteAllText(certPath, ephemeral.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        var certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        return (SslStreamCertificateContext.Create(certificate, null, offline: true), certPath);
    }
}
