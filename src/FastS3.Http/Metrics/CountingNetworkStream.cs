using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace FastS3.Http.Metrics;

/// <summary>A connection's socket stream that counts the bytes it moves into <see cref="TransportMetrics"/>.</summary>
internal sealed class CountingNetworkStream(Socket socket, TransportMetrics metrics) : NetworkStream(socket, ownsSocket: true)
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<int> read = base.ReadAsync(buffer, cancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            metrics.OnReceived(read.Result);
            return read;
        }

        return CountAfterAsync(read);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        metrics.OnSent(buffer.Length);
        return base.WriteAsync(buffer, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> CountAfterAsync(ValueTask<int> read)
    {
        int bytes = await read.ConfigureAwait(false);
        metrics.OnReceived(bytes);
        return bytes;
    }
}
