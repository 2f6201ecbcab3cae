using System.Globalization;
using System.Net.Sockets;
using System.Text;
using FastS3.Http;

namespace FastS3.Cli;

/// <summary>
/// The service manager's readiness protocol (sd_notify), spoken directly over the datagram socket
/// systemd names in NOTIFY_SOCKET (a leading '@' is the abstract namespace): READY=1 once the server
/// listens, STOPPING=1 as a graceful stop begins, and WATCHDOG=1 at half the WATCHDOG_USEC
/// interval when the manager asked for a watchdog. A message that cannot be sent is logged once and
/// never stops the server.
/// </summary>
internal sealed class ServiceNotifier : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly UnixDomainSocketEndPoint _manager;
    private readonly IServerLog _log;
    private readonly Timer? _watchdog;
    private int _failed;

    private ServiceNotifier(string socketPath, TimeSpan? watchdog, IServerLog log)
    {
        _manager = new UnixDomainSocketEndPoint(socketPath.StartsWith('@') ? "\0" + socketPath[1..] : socketPath);
        _log = log;
        if (watchdog is { } interval)
        {
            _watchdog = new Timer(static state => ((ServiceNotifier)state!).Send("WATCHDOG=1"), this, interval / 2, interval / 2);
        }
    }

    /// <summary>A notifier when the server runs under a service manager (NOTIFY_SOCKET set), else null.</summary>
    public static ServiceNotifier? Create(ServiceManager manager, IServerLog log)
        => manager.NotifySocket is { } socket ? new ServiceNotifier(socket, manager.Watchdog, log) : null;

    public void Ready(string status) => Send($"READY=1\nSTATUS={status}");

    public void Stopping() => Send("STOPPING=1\nSTATUS=draining");

    public void Dispose()
    {
        _watchdog?.Dispose();
        _socket.Dispose();
    }

    private void Send(string message)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(message), _manager);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            if (Interlocked.Exchange(ref _failed, 1) == 0)
            {
                _log.Warning($"service manager: cannot notify {_manager}: {exception.Message}");
            }
        }
    }
}

/// <summary>What the service manager told the process through its environment: where to notify, and the watchdog interval.</summary>
internal sealed record ServiceManager(string? NotifySocket, TimeSpan? Watchdog)
{
    public static ServiceManager From(Func<string, string?> environment)
    {
        string? socket = environment("NOTIFY_SOCKET") is { Length: > 0 } path ? path : null;
        // WATCHDOG_PID, when set, names the process the watchdog is for (a child must not answer it).
        bool forUs = environment("WATCHDOG_PID") is not { Length: > 0 } pid || pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        TimeSpan? watchdog = forUs && long.TryParse(environment("WATCHDOG_USEC"), out long microseconds) && microseconds > 0
            ? TimeSpan.FromMicroseconds(microseconds)
            : null;
        return new ServiceManager(socket, watchdog);
    }
}
