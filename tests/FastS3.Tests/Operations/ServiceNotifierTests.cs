using System.Net.Sockets;
using System.Text;
using FastS3.Tests.Hosting;

namespace FastS3.Tests.Operations;

/// <summary>sd_notify: the messages systemd expects arrive on the socket NOTIFY_SOCKET names, in order.</summary>
public sealed class ServiceNotifierTests
{
    [Fact]
    public async Task ReadyWatchdogAndStoppingArriveOnTheNotifySocket()
    {
        string directory = Directory.CreateTempSubdirectory("fasts3-notify-").FullName;
        try
        {
            string path = Path.Combine(directory, "notify");
            using var manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            manager.Bind(new UnixDomainSocketEndPoint(path));

            await using InProcessServer server = await InProcessServer.StartAsync(
                environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "400000" });
            string ready = await ReceiveAsync(manager);
            Assert.StartsWith("READY=1\nSTATUS=serving https://127.0.0.1:", ready);
            Assert.Equal("WATCHDOG=1", await ReceiveAsync(manager));
            Assert.Equal("WATCHDOG=1", await ReceiveAsync(manager));

            await server.StopAsync();
            string message;
            do
            {
                message = await ReceiveAsync(manager);
            }
            while (message == "WATCHDOG=1");

            Assert.Equal("STOPPING=1\nSTATUS=draining", message);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        byte[] buffer = new byte[512];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        int length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
