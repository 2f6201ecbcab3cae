using System.Net;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Http;
using FastS3.Kms;
using FastS3.KmsApi;
using FastS3.Operations;
using FastS3.Storage;
using FastS3.Storage.Disk;
using FastS3.Storage.Disk.Index;
using FastS3.Tls;

namespace FastS3.Cli;

/// <summary>
/// A server as <see cref="ServerSettings"/> describe it, started: the store on DATA_DIR, the
/// certificate (reloaded as its files change), the S3 application and the KMS API beside it, the
/// transport listening.
/// <c>fasts3 server</c> runs one until it is told to stop; tests host the same one in their own
/// process.
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly Store _store;
    private readonly CertificateReloader? _certificates;
    private readonly HttpServer _server;
    private readonly ServerHealth _health;
    private readonly AccessLogFile? _accessLog;
    private readonly ServiceNotifier? _notifier;
    private readonly FastS3Meter _meter;
    private readonly KeyRewrap _rewrap;
    private readonly KeyRotator _rotator;
    private readonly TimeSpan _drainDelay;
    private readonly IServerLog _log;

    private ServerHost(Store store, CertificateReloader? certificates, HttpServer server, ServerHealth health, AccessLogFile? accessLog, ServiceNotifier? notifier, FastS3Meter meter, KeyRewrap rewrap, KeyRotator rotator, TimeSpan drainDelay, IServerLog log)
    {
        _rewrap = rewrap;
        _rotator = rotator;
        _store = store;
        _certificates = certificates;
        _server = server;
        _health = health;
        _accessLog = accessLog;
        _notifier = notifier;
        _meter = meter;
        _drainDelay = drainDelay;
        _log = log;
    }

    public IReadOnlyList<IPEndPoint> EndPoints => _server.EndPoints;

    /// <summary>
    /// Starts serving and logs where. Throws <see cref="FormatException"/> for an address that is
    /// not one and <see cref="InvalidCertificateException"/> for an unusable pair, having closed
    /// what it opened. The store is the disk store on DATA_DIR unless <paramref name="store"/> gives
    /// another (tests run the S3 suite against the in-memory one too); the host owns it either way.
    /// <paramref name="rotationClock"/> tells automatic key rotation the date (tests move it ahead).
    /// </summary>
    public static async Task<ServerHost> StartAsync(ServerSettings settings, RootCredentials credentials, IServerLog log, Store? store = null, TimeProvider? rotationClock = null)
    {
        IReadOnlyList<IPEndPoint> endPoints = ListenAddress.Parse(settings.Address);
        store ??= DiskStore.Open(settings.DataDir, settings.Store, log.Warning);
        var options = new HttpServerOptions { Limits = settings.Limits, Log = log };
        CertificateReloader? certificates = null;
        HttpServer? server = null;
        FastS3Meter? meter = null;
        AccessLogFile? accessLog = null;
        KeyRewrap? rewrap = null;
        KeyRotator? rotator = null;
        try
        {
            certificates = settings.NoTls ? null : CertificateReloader.Start(settings.CertsDir, options, log);
            foreach (IPEndPoint endPoint in endPoints)
            {
                options.EndPoints.Add(endPoint);
            }

            var keys = new AccessKeys(credentials.AccessKey, credentials.SecretKey);
            var virtualHost = new VirtualHost(settings.Domains);
            accessLog = settings.AccessLog is null ? null : new AccessLogFile(settings.AccessLog, log);
            BuiltInKms kms = OpenKms(store, settings, log);
            var s3 = new S3Application(store, keys, TimeProvider.System, log, virtualHost, settings.S3, accessLog?.Queue, kms);
            rewrap = KeyRewrap.Start(store, kms, log, settings.KmsRewrapRate);
            rotator = KeyRotator.Start(kms, rotationClock ?? TimeProvider.System, log.Info, log.Warning);
            var health = new ServerHealth(store);
            IndexCounters index = settings.Store.Index.Counters;

            // MinIO's server label: this host and the port actually bound (known once listening).
            HttpServer? listening = null;
            var exposition = new MetricsExposition(s3.Metrics, options.Metrics, store, index, health, accessLog, rewrap, () => $"{Environment.MachineName}:{listening!.EndPoints[0].Port}");
            var access = new MetricsAccess(settings.PublicMetrics, keys, new SigV4Verifier(keys, TimeProvider.System, settings.S3.Region), TimeProvider.System);
            var kmsApi = new KmsApplication(kms, keys, TimeProvider.System, log);
            server = listening = new HttpServer(options, new OperationsApplication(s3, kmsApi, virtualHost, health, exposition, access));
            meter = new FastS3Meter(s3.Metrics, options.Metrics, index);
            server.Start();
            string scheme = settings.NoTls ? "http" : "https";
            foreach (IPEndPoint endPoint in server.EndPoints)
            {
                log.Info($"listening on {scheme}://{endPoint}");
            }

            log.Info(store is DiskStore ? $"data directory {settings.DataDir} ({settings.Store.WriteMode} writes), root user {credentials.AccessKey}" : $"store {store.Location}, root user {credentials.AccessKey}");
            ServiceNotifier? notifier = settings.ServiceManager is { } manager ? ServiceNotifier.Create(manager, log) : null;
            notifier?.Ready($"serving {scheme}://{server.EndPoints[0]}");
            return new ServerHost(store, certificates, server, health, accessLog, notifier, meter, rewrap, rotator, settings.DrainDelay, log);
        }
        catch
        {
            if (rotator is not null)
            {
                await rotator.DisposeAsync();
            }

            if (rewrap is not null)
            {
                await rewrap.DisposeAsync();
            }

            meter?.Dispose();
            accessLog?.Dispose();
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

    /// <summary>The KMS over the store's key ring, under the master key the settings give (or one made now).</summary>
    private static BuiltInKms OpenKms(Store store, ServerSettings settings, IServerLog log)
    {
        KmsKeySource source = settings.Kms ?? KmsKeySource.From(_ => null, null, settings.CertsDir);
        string dataDir = Path.GetFullPath(settings.DataDir) + Path.DirectorySeparatorChar;
        if (store is DiskStore && Path.GetFullPath(source.KeyFile).StartsWith(dataDir, StringComparison.Ordinal))
        {
            throw new FormatException($"the KMS master key file {source.KeyFile} is inside DATA_DIR: keep it apart, or a copy of the data is a copy of its key");
        }

        (MasterKey master, MasterKey? previous) = source.Load(log);
        try
        {
            return BuiltInKms.Open(store, master, previous, settings.S3.Region, log.Info);
        }
        catch (InvalidDataException ex)
        {
            master.Dispose();
            throw new FormatException($"KMS: {ex.Message}", ex);
        }
        finally
        {
            previous?.Dispose();
        }
    }

    /// <summary>SIGHUP: the access log's path is opened again (logrotate renamed the file).</summary>
    public void ReopenAccessLog() => _accessLog?.Reopen();

    /// <summary>
    /// Fails the ready probe, keeps serving for the drain delay (so a load balancer can notice and stop
    /// sending), then stops accepting, closes idle connections and lets in-flight requests finish (bounded).
    /// </summary>
    public async Task StopAsync()
    {
        _health.BeginDrain();
        _notifier?.Stopping();
        if (_drainDelay > TimeSpan.Zero)
        {
            _log.Info($"stopping: not ready, serving on for {_drainDelay.TotalSeconds:0.#} s");
            await Task.Delay(_drainDelay);
        }

        _log.Info("stopping: draining in-flight requests");
        await _server.StopAsync();
        _log.Info("stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await _rotator.DisposeAsync();
        await _rewrap.DisposeAsync();
        _meter.Dispose();
        _accessLog?.Dispose();
        _notifier?.Dispose();
        if (_certificates is not null)
        {
            await _certificates.DisposeAsync();
        }

        await _store.DisposeAsync();
    }
}
