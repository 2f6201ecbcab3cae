using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FastS3.Http;

/// <summary>
/// The socket's stream as <see cref="ScrubbingSslStream"/>'s SslStream sees it: notes each array
/// SslStream receives records into, and how far it was filled, then clears those arrays once they
/// are back in the shared pool (<see cref="Reclaim"/>). An array missed (SslStream still holds it,
/// or returned it on another thread) stays noted and is tried again after later reads.
/// </summary>
internal sealed class ReceiveBufferWitness(Stream socket) : Stream
{
    // SslStream holds one buffer at a time; a second appears while it grows one into a larger one.
    private const int MaxNoted = 4;

    private readonly List<(byte[] Array, int Filled)> _noted = new(MaxNoted);

    public override bool CanRead => socket.CanRead;

    public override bool CanWrite => socket.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Clears each noted array that the calling thread can rent back from the shared pool, which proves SslStream gave it back.</summary>
    public void Reclaim()
    {
        lock (_noted)
        {
            for (int i = _noted.Count - 1; i >= 0; i--)
            {
                (byte[] array, int filled) = _noted[i];
                byte[] rented = ArrayPool<byte>.Shared.Rent(array.Length);
                if (ReferenceEquals(rented, array))
                {
                    array.AsSpan(0, filled).Clear();
                    _noted.RemoveAt(i);
                }

                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<int> read = socket.ReadAsync(buffer, cancellationToken);
        if (!MemoryMarshal.TryGetArray(buffer, out ArraySegment<byte> segment) || segment.Count == 0)
        {
            return read;
        }

        if (read.IsCompletedSuccessfully)
        {
            Note(segment.Array!, segment.Offset + read.Result);
            return read;
        }

        return NoteAfterAsync(read, segment);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        int read = socket.Read(buffer, offset, count);
        Note(buffer, offset + read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => socket.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => socket.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => socket.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => socket.FlushAsync(cancellationToken);

    public override void Flush() => socket.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    // Also how Stream's DisposeAsync ends: the socket's stream has nothing to dispose asynchronously.
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Dispose();
        }

        base.Dispose(disposing);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> NoteAfterAsync(ValueTask<int> read, ArraySegment<byte> segment)
    {
        int count = await read.ConfigureAwait(false);
        Note(segment.Array!, segment.Offset + count);
        return count;
    }

    private void Note(byte[] array, int end)
    {
        lock (_noted)
        {
            for (int i = 0; i < _noted.Count; i++)
            {
                if (ReferenceEquals(_noted[i].Array, array))
                {
                    _noted[i] = (array, Math.Max(end, _noted[i].Filled));
                    return;
                }
            }

            if (_noted.Count == MaxNoted)
            {
                // The oldest is the one most likely gone for good: rented again by another connection.
                _noted.RemoveAt(0);
            }

            _noted.Add((array, end));
        }
    }
}
