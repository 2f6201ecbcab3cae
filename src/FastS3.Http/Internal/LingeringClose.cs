using System.Net.Sockets;

namespace FastS3.Http.Internal;

/// <summary>
/// The end of a connection whose client may still be sending, once the server has said all it
/// will: closing on unread bytes makes the kernel reset the connection, and a reset can destroy the
/// answer before the client reads it (or fail the write it is still in, where it never looks at
/// the answer). So the server's side ends with a FIN after the answer, and what the client still
/// sends is read and thrown away until it closes its side, the bound is reached, or the caller
/// cuts it short; only then is the socket closed.
/// </summary>
internal static class LingeringClose
{
    // Shared by every lingering connection: what lands here is never looked at (over TLS, ciphertext).
    private static readonly byte[] Discard = new byte[64 * 1024];

    public static async ValueTask RunAsync(Socket socket, long maxDiscard, CancellationToken cancellationToken)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            for (long discarded = 0; discarded < maxDiscard;)
            {
                int received = await socket.ReceiveAsync(Discard, SocketFlags.None, cancellationToken);
                if (received == 0)
                {
                    return;
                }

                // Over plain HTTP the bytes may be a pipelined request's head, SSE-C key headers
                // and all: cleared by whoever received them, so none outlives its connection here.
                Discard.AsSpan(0, received).Clear();
                discarded += received;
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone, or cut short: closing is all that is left either way.
        }
    }
}
