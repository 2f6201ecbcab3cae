using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http;

namespace FastS3.Upstream;

/// <summary>
/// A PUT (object or part) in flight: the caller writes the body with <see cref="GetMemory"/> and
/// <see cref="AdvanceAsync"/> while the request is already on the wire, then calls
/// <see cref="CompleteAsync"/> for the upstream's answer. At most about a MiB is held between the two
/// sides. Disposing an upload that was not completed aborts the request, so nothing is stored.
/// </summary>
public sealed class UpstreamUpload : IAsyncDisposable
{
    // The writer waits above 1 MiB in flight and resumes below 256 KiB.
    private static readonly PipeOptions Buffering = new(MemoryPool<byte>.Shared, pauseWriterThreshold: 1 << 20,
        resumeWriterThreshold: 256 << 10, minimumSegmentSize: 64 << 10, useSynchronizationContext: false);

    private readonly Pipe _pipe = new(Buffering);
    private readonly CancellationTokenSource _abort;
    private readonly TimeSpan _answerTimeout;
    private readonly Task<string> _answer;
    private long _written;
    private bool _finished;

    internal UpstreamUpload(long length, TimeSpan answerTimeout, Func<HttpContent, CancellationToken, Task<string>> send, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _answerTimeout = answerTimeout;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _answer = send(new PipeContent(_pipe.Reader, length), _abort.Token);
    }

    /// <summary>The Content-Length sent: exactly this many bytes must be written.</summary>
    public long Length { get; }

    public long Written => _written;

    public Memory<byte> GetMemory(int sizeHint = 0) => _pipe.Writer.GetMemory(sizeHint);

    /// <summary>Commits <paramref name="count"/> bytes written into <see cref="GetMemory"/>; waits while the upstream is behind.</summary>
    public async ValueTask AdvanceAsync(int count, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (count < 0 || _written + count > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"{_written} + {count} bytes would pass the declared length {Length}.");
        }

        _pipe.Writer.Advance(count);
        _written += count;
        ValueTask<FlushResult> flush = _pipe.Writer.FlushAsync(cancellationToken);
        FlushResult result;
        if (flush.IsCompleted)
        {
            result = flush.Result;
        }
        else
        {
            // The upstream may answer (an error) or fail before it has read everything: stop waiting then.
            Task<FlushResult> flushing = flush.AsTask();
            if (await Task.WhenAny(flushing, _answer).ConfigureAwait(false) != flushing)
            {
                _pipe.Writer.CancelPendingFlush();
            }

            result = await flushing.ConfigureAwait(false);
        }

        if (result.IsCompleted || result.IsCanceled)
        {
            _finished = true;
            await _answer.ConfigureAwait(false);
            throw new InvalidOperationException("The upstream answered before the body was complete.");
        }
    }

    /// <summary>Copies <paramref name="data"/> into the body.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        while (!data.IsEmpty)
        {
            Memory<byte> memory = GetMemory();
            int n = Math.Min(memory.Length, data.Length);
            data.Span[..n].CopyTo(memory.Span);
            await AdvanceAsync(n, cancellationToken).ConfigureAwait(false);
            data = data[n..];
        }
    }

    /// <summary>Ends the body and returns the upstream's ETag (quoted, as sent).</summary>
    public async Task<string> CompleteAsync()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_written != Length)
        {
            throw new InvalidOperationException($"{_written} of {Length} bytes written: dispose the upload to abort it.");
        }

        _finished = true;
        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        _abort.CancelAfter(_answerTimeout);
        return await _answer.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_answer.IsCompleted)
        {
            // A short body that fails on the sending side: the connection is dropped mid-request.
            await _pipe.Writer.CompleteAsync(new OperationCanceledException("The upload was abandoned.")).ConfigureAwait(false);
            await _abort.CancelAsync().ConfigureAwait(false);
            try
            {
                await _answer.ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or UpstreamException or UpstreamUnavailableException)
            {
                // Expected: the request was aborted on purpose.
            }
        }

        _finished = true;
        _abort.Dispose();
    }
}
