using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using FastS3.Http.Internal;
using FastS3.Http.Metrics;
using Microsoft.Extensions.ObjectPool;

namespace FastS3.Http;

/// <summary>
/// Listens on raw sockets and runs one <see cref="HttpConnection"/> loop per client. A heartbeat
/// enforces every connection's deadline and minimum body rate once a second, so timeouts cost no
/// timer per request. Connections beyond <see cref="HttpLimits.MaxConnections"/> are refused at
/// accept (see <see cref="ConnectionRefusal"/>). Stopping closes the listeners, lets in-flight
/// requests finish (idle connections close at once), and aborts what is still running after
/// <see cref="HttpLimits.ShutdownTimeout"/>.
/// </summary>
public sealed class HttpServer : IAsyncDisposable
{
    // Linux's values; TCP_NOTSENT_LOWAT has no managed name.
    private const int IPPROTO_TCP = 6;
    private const int TCP_NOTSENT_LOWAT = 25;

    private readonly ConcurrentDictionary<long, HttpConnection> _connections = new();
    private readonly ObjectPool<HttpConnection> _connectionPool;
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly List<IPEndPoint> _boundEndPoints = [];
    private readonly ConnectionRefusal _refusal;

    /// <summary>The TCP_NOTSENT_LOWAT option value every accepted socket gets, or null for none.</summary>
    private readonly byte[]? _unsentLimit;
    private SslServerAuthenticationOptions? _tlsOptions;
    private Timer? _heartbeat;
    private long _nextConnectionId;
    private int _connectionCount;
    private volatile bool _stopping;

    public HttpServer(HttpServerOptions options, IHttpApplication application)
    {
        Options = options;
        Application = application;
        ServerHeader = Encoding.ASCII.GetBytes($"Server: {options.ServerName}\r\n");
        _connectionPool = new DefaultObjectPool<HttpConnection>(new ConnectionPoolPolicy(this), 1024);
        _refusal = new ConnectionRefusal(this);
        _unsentLimit = options.Limits.MaxUnsentBytes is int unsent ? BitConverter.GetBytes(unsent) : null;
    }

    public HttpServerOptions Options { get; }

    /// <summary>The addresses actually bound (port 0 resolved to the port the OS chose).</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => _boundEndPoints;

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    internal TransportMetrics Metrics => Options.Metrics;

    internal IHttpApplication Application { get; }

    internal byte[] ServerHeader { get; }

    internal bool IsStopping => _stopping;

    public void Start()
    {
        if (Options.EndPoints.Count == 0)
        {
            throw new InvalidOperationException("No endpoint to listen on.");
        }

        foreach (IPEndPoint endPoint in Options.EndPoints)
        {
            var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(endPoint);
            listener.Listen(512);
            _listeners.Add(listener);
            _boundEndPoints.Add((IPEndPoint)listener.LocalEndPoint!);
        }

        _heartbeat = new Timer(static state => ((HttpServer)state!).OnHeartbeat(), this, 1000, 1000);
        foreach (Socket listener in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(listener));
        }
    }

    public async Task StopAsync()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        foreach (Socket listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_acceptLoops);

        foreach (HttpConnection connection in _connections.Values)
        {
            connection.RequestStop();
        }

        Task drained = Task.WhenAll(_connections.Values.Select(c => c.Completion));
        if (await Task.WhenAny(drained, Task.Delay(Options.Limits.ShutdownTimeout)) != drained)
        {
            Options.Log.Warning($"shutdown: aborting {_connections.Count} connection(s) still busy");
            foreach (HttpConnection connection in _connections.Values)
            {
                connection.Abort();
            }

            await drained;
        }

        if (_heartbeat is not null)
        {
            await _heartbeat.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    internal SslServerAuthenticationOptions GetTlsOptions(SslStreamCertificateContext certificate)
    {
        SslServerAuthenticationOptions? options = _tlsOptions;
        if (options?.ServerCertificateContext != certificate)
        {
            options = new SslServerAuthenticationOptions
            {
                ServerCertificateContext = certificate,
                EnabledSslProtocols = TlsPolicy.Protocols,
                CipherSuitesPolicy = TlsPolicy.CipherSuites,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                ClientCertificateRequired = false,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            };
            _tlsOptions = options;
        }

        return options;
    }

    internal void OnConnectionClosed(HttpConnection connection)
    {
        _connections.TryRemove(connection.Id, out _);
        Interlocked.Decrement(ref _connectionCount);
        Metrics.OnClosed();
        _connectionPool.Return(connection);
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TooManyOpenSockets && !_stopping)
            {
                // Out of file descriptors: accepting again at once would only spin. The connection
                // waits in the backlog until some close.
                Options.Log.Warning("accept: out of file descriptors (raise the open-files limit or lower the connection limit)");
                await Task.Delay(100);
                continue;
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                {
                    return;
                }

                // Transient accept failures (e.g. the peer reset before accept) are not fatal.
                continue;
            }

            if (Interlocked.Increment(ref _connectionCount) > Options.Limits.MaxConnections)
            {
                Interlocked.Decrement(ref _connectionCount);
                Metrics.OnRefused();
                _refusal.Refuse(socket, tls: Options.Certificate is not null);
                continue;
            }

            Metrics.OnAccepted();

            socket.NoDelay = true;
            if (_unsentLimit is not null)
            {
                socket.SetRawSocketOption(IPPROTO_TCP, TCP_NOTSENT_LOWAT, _unsentLimit);
            }

            HttpConnection connection = _connectionPool.Get();
            connection.Initialize(socket, Interlocked.Increment(ref _nextConnectionId), Options.Certificate is not null);
            _connections[connection.Id] = connection;
            ThreadPool.UnsafeQueueUserWorkItem(connection, preferLocal: false);
        }
    }

    /// <summary>
    /// Serves one connection whose bytes arrive on <paramref name="input"/> and leave on
    /// <paramref name="output"/>: the same loop as for sockets, for tests that must control exactly
    /// how the bytes are split. Needs no <see cref="Start"/>.
    /// </summary>
    internal Task ServeAsync(PipeReader input, PipeWriter output, bool isTls = false)
    {
        Interlocked.Increment(ref _connectionCount);
        Metrics.OnAccepted();
        HttpConnection connection = _connectionPool.Get();
        connection.Initialize(null, Interlocked.Increment(ref _nextConnectionId), isTls);
        _connections[connection.Id] = connection;
        return connection.RunAsync(input, output);
    }

    private void OnHeartbeat()
    {
        long now = Environment.TickCount64;
        foreach (KeyValuePair<long, HttpConnection> entry in _connections)
        {
            entry.Value.OnHeartbeat(now);
        }

        if (_refusal.TakeRefusedCount() is > 0 and long refused)
        {
            Options.Log.Warning($"refused {refused} connection(s) in the last second: {Options.Limits.MaxConnections} open, the limit");
        }
    }

    private sealed class ConnectionPoolPolicy(HttpServer server) : IPooledObjectPolicy<HttpConnection>
    {
        public HttpConnection Create() => new(server);

        public bool Return(HttpConnection connection) => true;
    }
}
