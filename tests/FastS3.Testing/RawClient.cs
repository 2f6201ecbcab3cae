using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace FastS3.Testing;

/// <summary>A parsed HTTP response as a test sees it.</summary>
public sealed record RawResponse(int Status, Dictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.ASCII.GetString(Body);
}

/// <summary>
/// A deliberately simple HTTP/1.1 client over one socket: writes exactly the bytes a test gives it
/// and reads responses byte by byte, so tests control timing and framing completely.
/// </summary>
public sealed class RawClient : IDisposable
{
    private readonly TcpClient _tcp;

    private RawClient(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        Stream = stream;
    }

    public Stream Stream { get; }

    /// <summary>Connects to 127.0.0.1; a <paramref name="receiveBufferSize"/> set before connecting bounds the TCP window the server may fill.</summary>
    public static async Task<RawClient> ConnectAsync(int port, bool tls = false, int receiveBufferSize = 0)
    {
        var tcp = new TcpClient { NoDelay = true };
        if (receiveBufferSize > 0)
        {
            tcp.ReceiveBufferSize = receiveBufferSize;
        }

        await tcp.ConnectAsync("127.0.0.1", port);
        Stream stream = tcp.GetStream();
        if (tls)
        {
            var ssl = new SslStream(stream, false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" });
            stream = ssl;
        }

        return new RawClient(tcp, stream);
    }

    public async Task SendAsync(string text)
    {
        await Stream.WriteAsync(Encoding.Latin1.GetBytes(text));
        await Stream.FlushAsync();
    }

    public async Task SendAsync(byte[] bytes)
    {
        await Stream.WriteAsync(bytes);
        await Stream.FlushAsync();
    }

    /// <summary>Reads one response; HEAD responses have no body whatever their headers say.</summary>
    public async Task<RawResponse> ReadResponseAsync(bool head = false, int timeoutSeconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        string statusLine = await ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("connection closed before a response");
        int status = int.Parse(statusLine.Split(' ')[1]);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (await ReadLineAsync(timeout.Token) is { Length: > 0 } line)
        {
            int colon = line.IndexOf(':');
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        byte[] body = [];
        if (head || status is 100 or 204 or 304)
        {
            return new RawResponse(status, headers, body);
        }

        if (headers.TryGetValue("Content-Length", out string? length))
        {
            body = await ReadExactlyAsync(int.Parse(length), timeout.Token);
        }
        else if (headers.TryGetValue("Transfer-Encoding", out string? coding) && coding == "chunked")
        {
            using var all = new MemoryStream();
            while (true)
            {
                int size = Convert.ToInt32((await ReadLineAsync(timeout.Token))!, 16);
                all.Write(await ReadExactlyAsync(size, timeout.Token));
                await ReadLineAsync(timeout.Token);
                if (size == 0)
                {
                    break;
                }
            }

            body = all.ToArray();
        }

        return new RawResponse(status, headers, body);
    }

    /// <summary>
    /// Up to <paramref name="length"/> body bytes, after <see cref="ReadResponseAsync"/> read the head
    /// alone: fewer when the server cuts the connection short (EOF or reset), as it does when it
    /// finds a failure after the response has started.
    /// </summary>
    public async Task<byte[]> ReadBodyAsync(int length, int timeoutSeconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        var buffer = new byte[length];
        int read = 0;
        try
        {
            for (int n; read < length && (n = await Stream.ReadAsync(buffer.AsMemory(read), timeout.Token)) > 0;)
            {
                read += n;
            }
        }
        catch (IOException)
        {
        }

        return buffer[..read];
    }

    /// <summary>True when the server closed the connection (EOF or reset) within the timeout.</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var one = new byte[1];
        try
        {
            return await Stream.ReadAsync(one, timeout.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Drops the connection with a TCP reset (SO_LINGER 0), as a crashed client or a middlebox would.</summary>
    public void Reset()
    {
        _tcp.Client.LingerState = new LingerOption(true, 0);
        Dispose();
    }

    public void Dispose()
    {
        Stream.Dispose();
        _tcp.Dispose();
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (true)
        {
            if (await Stream.ReadAsync(one, cancellationToken) == 0)
            {
                return line.Length == 0 ? null : line.ToString();
            }

            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await Stream.ReadExactlyAsync(buffer, cancellationToken);
        return buffer;
    }
}
