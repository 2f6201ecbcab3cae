using FastS3.Http;

namespace FastS3.Tls;

/// <summary>
/// Keeps the server's certificate in step with public.crt and private.key without a restart, as
/// MinIO does. Every second both files (a few KB) are read and their digest compared with the pair
/// in use; a changed pair is loaded once it has read the same at two checks in a row, so an editor's
/// save, <c>cp</c> over the files, an atomic rename, a Kubernetes secret's symlink swap, or the two
/// files replaced one after the other are taken whole, never half-written or mismatched. The new
/// certificate replaces the old one in a single reference swap: handshakes under way finish with the
/// old one, later ones get the new one. A pair that does not load keeps the old certificate in
/// service, and the log says why, once per distinct content.
/// Polling rather than FileSystemWatcher: comparing contents needs no event to arrive (inotify sees
/// neither NFS changes nor a swap of the symlink a mounted secret's files go through, and its
/// instances are capped per user) and no timestamp to change (<c>cp -p</c>, coarse mtimes).
/// </summary>
internal sealed class CertificateReloader : IAsyncDisposable
{
    private readonly string _directory;
    private readonly HttpServerOptions _options;
    private readonly IServerLog _log;
    private readonly PeriodicTimer _timer;
    private readonly Task _loop;
    private byte[] _inUse;
    private string _fingerprint;
    private byte[]? _seen;
    private byte[]? _refused;

    private CertificateReloader(string directory, HttpServerOptions options, IServerLog log, TimeSpan interval, byte[] inUse, string fingerprint)
    {
        _directory = directory;
        _options = options;
        _log = log;
        _inUse = inUse;
        _fingerprint = fingerprint;
        _timer = new PeriodicTimer(interval);
        _loop = RunAsync();
    }

    /// <summary>
    /// Loads the pair into <paramref name="options"/> (generating a self-signed one if the directory
    /// has none) and starts watching it. Throws <see cref="InvalidCertificateException"/> if it does
    /// not load: at start there is no older certificate to keep serving.
    /// </summary>
    public static CertificateReloader Start(string directory, HttpServerOptions options, IServerLog log)
    {
        CertificateFiles.CreateIfMissing(directory, log);
        using CertificatePair pair = CertificatePair.Read(directory);
        var (context, fingerprint, notAfter) = pair.Load();
        options.Certificate = context;
        log.Info($"TLS certificate {Path.Combine(directory, CertificateFiles.PublicCertificate)}, SHA-256 fingerprint {fingerprint}, valid until {notAfter.ToUniversalTime():u}; reloaded when the files change");
        return new CertificateReloader(directory, options, log, TimeSpan.FromSeconds(1), pair.Stamp, fingerprint);
    }

    public async ValueTask DisposeAsync()
    {
        _timer.Dispose();
        await _loop;
    }

    private async Task RunAsync()
    {
        while (await _timer.WaitForNextTickAsync())
        {
            Check();
        }
    }

    private void Check()
    {
        using CertificatePair pair = CertificatePair.Read(_directory);
        byte[] stamp = pair.Stamp;
        bool settled = _seen is not null && stamp.AsSpan().SequenceEqual(_seen);
        _seen = stamp;
        if (!settled || stamp.AsSpan().SequenceEqual(_inUse) || (_refused is not null && stamp.AsSpan().SequenceEqual(_refused)))
        {
            return;
        }

        try
        {
            var (context, fingerprint, notAfter) = pair.Load();
            _options.Certificate = context;
            _log.Info($"TLS certificate reloaded from {_directory}: SHA-256 fingerprint {fingerprint} (was {_fingerprint}), valid until {notAfter.ToUniversalTime():u}");
            _inUse = stamp;
            _fingerprint = fingerprint;
            _refused = null;
        }
        catch (InvalidCertificateException ex)
        {
            _refused = stamp;
            _log.Warning($"TLS certificate in {_directory} not reloaded: {ex.Message}; still serving {_fingerprint}");
        }
    }
}
