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
            // Reading the result consumes the ValueTask (the socket reuses what backs it): the caller
            // gets a new one, never this one a second time.
            int bytes = read.Result;
            metrics.OnReceived(bytes);
            return new ValueTask<int>(bytes);
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
