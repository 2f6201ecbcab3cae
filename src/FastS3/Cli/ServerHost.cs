using System.Net;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Http;
using FastS3.Storage;
using FastS3.Tls;

namespace FastS3.Cli;

/// <summary>
/// A server as <see cref="ServerSettings"/> describe it, started: the store on DATA_DIR, the
/// certificate (reloaded as its files change), the S3 application, the transport listening.
/// <c>fasts3 server</c> runs one until it is told to stop; tests host the same one in their own
/// process.
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly Store _store;
    private readonly CertificateReloader? _certificates;
    private readonly HttpServer _server;
    private readonly IServerLog _log;

    private ServerHost(Store store, CertificateReloader? certificates, HttpServer server, IServerLog log)
    {
        _store = store;
        _certificates = certificates;
        _server = server;
        _log = log;
    }

    public IReadOnlyList<IPEndPoint> EndPoints => _server.EndPoints;

    /// <summary>
    /// Starts serving and logs where. Throws <see cref="FormatException"/> for an address that is
    /// not one and <see cref="InvalidCertificateException"/> for an unusable pair, having closed
    /// what it opened.
    /// </summary>
    public static async Task<ServerHost> StartAsync(ServerSettings settings, RootCredentials credentials, IServerLog log)
    {
        IReadOnlyList<IPEndPoint> endPoints = ListenAddress.Parse(settings.Address);
        Store store = Store.Open(settings.DataDir, settings.Store, log.Warning);
        var options = new HttpServerOptions { Limits = settings.Limits, Log = log };
        CertificateReloader? certificates = null;
        HttpServer? server = null;
        try
        {
            certificates = settings.NoTls ? null : CertificateReloader.Start(settings.CertsDir, options, log);
            foreach (IPEndPoint endPoint in endPoints)
            {
                options.EndPoints.Add(endPoint);
            }

            var keys = new AccessKeys(credentials.AccessKey, credentials.SecretKey);
            server = new HttpServer(options, new S3Application(store, keys, TimeProvider.System, log, new VirtualHost(settings.Domains), settings.S3));
            server.Start();
            string scheme = settings.NoTls ? "http" : "https";
            foreach (IPEndPoint endPoint in server.EndPoints)
            {
                log.Info($"listening on {scheme}://{endPoint}");
            }

            log.Info($"data directory {settings.DataDir} ({settings.Store.WriteMode} writes), root user {credentials.AccessKey}");
            return new ServerHost(store, certificates, server, log);
        }
        catch
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            if (certificates is not null)
            {
                await certificates.DisposeAsync();
            }

            await store.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops accepting, closes idle connections and lets in-flight requests finish (bounded).</summary>
    public async Task StopAsync()
    {
        _log.Info("stopping: draining in-flight requests");
        await _server.StopAsync();
        _log.Info("stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        if (_certificates is not null)
        {
            await _certificates.DisposeAsync();
        }

        await _store.DisposeAsync();
    }
}
