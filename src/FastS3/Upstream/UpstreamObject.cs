using System.Net.Http;

namespace FastS3.Upstream;

/// <summary>
/// A GET's answer: the head as <see cref="Info"/>, the body read on demand into the caller's memory.
/// Dispose it whether or not the body was read; an unread rest closes the connection.
/// </summary>
public sealed class UpstreamObject : IAsyncDisposable, IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly Stream _body;

    internal UpstreamObject(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _body = body;
        Info = ObjectInfo.From(response);
    }

    public ObjectInfo Info { get; }

    /// <summary>Reads into <paramref name="destination"/>; 0 at the end. A broken connection is <see cref="UpstreamUnavailableException"/>.</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        try
        {
            return await _body.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new UpstreamUnavailableException("The upstream connection broke while reading an object.", e);
        }
    }

    public void Dispose()
    {
        _body.Dispose();
        _response.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync().ConfigureAwait(false);
        _response.Dispose();
    }
}
