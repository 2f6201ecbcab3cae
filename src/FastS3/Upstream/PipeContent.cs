using System.IO.Pipelines;
using System.Net;
using System.Net.Http;

namespace FastS3.Upstream;

/// <summary>
/// A request body of known length that the handler pulls from a pipe while the caller is still
/// writing into it. A writer that completes with an error makes the copy throw, which aborts the
/// request mid-body: the upstream sees a short body and stores nothing.
/// </summary>
internal sealed class PipeContent(PipeReader reader, long length) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                foreach (ReadOnlyMemory<byte> segment in read.Buffer)
                {
                    await stream.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
                }

                reader.AdvanceTo(read.Buffer.End);
                if (read.IsCompleted || read.IsCanceled)
                {
                    break;
                }
            }

            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await reader.CompleteAsync(e).ConfigureAwait(false);
            throw;
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = Length;
        return true;
    }

    private long Length { get; } = length;
}
