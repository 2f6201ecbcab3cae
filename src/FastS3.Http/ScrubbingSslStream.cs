using System.Buffers;
using System.Net.Security;
using System.Runtime.CompilerServices;

namespace FastS3.Http;

/// <summary>
/// An <see cref="SslStream"/> whose decrypted records do not outlive the read that delivers them.
/// SslStream decrypts each record in place in a read buffer it rents from
/// <see cref="ArrayPool{T}.Shared"/> and gives back uncleared once it is empty: requests (SSE-C key
/// headers included) then wait in the pool, connection open or not, until a later rent happens to
/// overwrite them. The buffer is private, so it is recognised: <see cref="ReceiveBufferWitness"/>
/// notes the arrays SslStream reads ciphertext into, and after each read clears the ones it can
/// rent back, which proves SslStream returned them (the pool lends an array to one renter at a
/// time, so a buffer in use is never touched). SslStream returns its buffer on the thread that
/// finishes the read, into that thread's slot of the pool, which the next rent of that size on the
/// same thread empties first: the continuation here, run inline on that thread, gets it back.
/// </summary>
internal sealed class ScrubbingSslStream(Stream socket) : SslStream(new ReceiveBufferWitness(socket), leaveInnerStreamOpen: false)
{
    private ReceiveBufferWitness Witness => (ReceiveBufferWitness)InnerStream;

    /// <summary>The read the connection's pipe makes; it clears SslStream's buffer if SslStream gave it back.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<int> read = base.ReadAsync(buffer, cancellationToken);
        if (read.IsCompleted)
        {
            Witness.Reclaim();
            return read;
        }

        return ReclaimAfterAsync(read);
    }

    public override async ValueTask DisposeAsync()
    {
        // Disposing gives back a buffer that may hold records decrypted but never read.
        await base.DisposeAsync().ConfigureAwait(false);
        Witness.Reclaim();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Witness.Reclaim();
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReclaimAfterAsync(ValueTask<int> read)
    {
        try
        {
            return await read.ConfigureAwait(false);
        }
        finally
        {
            Witness.Reclaim();
        }
    }
}
