using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;

namespace FastS3.Http.Internal;

/// <summary>
/// Turns away connections beyond <see cref="HttpLimits.MaxConnections"/> at once, so a client learns
/// the server is full instead of hanging. Over plain HTTP it sends a 503 with Connection: close,
/// shaped by the application like any transport error, then closes lingering for a moment
/// (<see cref="LingeringClose"/>), so that what the client sent meanwhile cannot reset the
/// connection and destroy the 503 before the client reads it. Over TLS it closes without a word,
/// as Kestrel does: any answer would first cost a full handshake, the most expensive step of a
/// connection and one whose pace the client sets, spent exactly when the server is overloaded;
/// clients see the handshake fail and retry.
/// </summary>
internal sealed class ConnectionRefusal
{
    /// <summary>Refusals still discarding input at once; beyond, sockets are closed outright.</summary>
    private const int MaxLingering = 1024;

    /// <summary>Bytes a refused client may still send before the socket is closed regardless.</summary>
    private const int MaxDiscard = 64 * 1024;

    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);

    private readonly HttpConnection _renderer;

    // Never pauses the writer, so rendering completes synchronously under the lock.
    private readonly Pipe _rendered = new(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
    private int _lingering;
    private long _refused;

    public ConnectionRefusal(HttpServer server) => _renderer = new HttpConnection(server);

    /// <summary>Connections refused since the last call.</summary>
    public long TakeRefusedCount() => Interlocked.Exchange(ref _refused, 0);

    public void Refuse(Socket socket, bool tls)
    {
        Interlocked.Increment(ref _refused);
        if (tls || Interlocked.Increment(ref _lingering) > MaxLingering)
        {
            if (!tls)
            {
                Interlocked.Decrement(ref _lingering);
            }

            socket.Dispose();
            return;
        }

        _ = RefuseAsync(socket);
    }

    private async Task RefuseAsync(Socket socket)
    {
        try
        {
            using var linger = new CancellationTokenSource(LingerTime);
            await socket.SendAsync(Render(), SocketFlags.None, linger.Token);
            await LingeringClose.RunAsync(socket, MaxDiscard, linger.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone, or too slow to leave: closing is all that is left either way.
        }
        finally
        {
            socket.Dispose();
            Interlocked.Decrement(ref _lingering);
        }
    }

    /// <summary>A fresh refusal (its own date and, for S3, request id), rendered through the usual error path.</summary>
    private byte[] Render()
    {
        lock (_renderer)
        {
            _renderer.WriteRefusal(_rendered.Writer);
            ValueTask<FlushResult> flush = _rendered.Writer.FlushAsync();
            Debug.Assert(flush.IsCompletedSuccessfully, "the pipe never pauses its writer");
            _rendered.Reader.TryRead(out ReadResult result);
            byte[] bytes = result.Buffer.ToArray();
            _rendered.Reader.AdvanceTo(result.Buffer.End);
            return bytes;
        }
    }
}
