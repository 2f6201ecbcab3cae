namespace FastS3.Testing;

/// <summary>
/// One <see cref="HttpRequest"/> of a connection that never runs, parsed again and again by the
/// transport's own parser: for tests of what the request path costs, outside any socket.
/// </summary>
public sealed class ReparsedRequest
{
    private readonly HttpLimits _limits = new();

    public HttpRequest Request { get; } = new HttpConnection(new HttpServer(new HttpServerOptions(), Unused.Instance)).Request;

    /// <summary>Parses <paramref name="head"/> (up to and including its blank line) into <see cref="Request"/>, as a connection does.</summary>
    public HttpRequest Parse(ReadOnlyMemory<byte> head)
    {
        Request.Reset();
        Request.Parse(head, _limits);
        return Request;
    }

    private sealed class Unused : IHttpApplication
    {
        public static readonly Unused Instance = new();

        public ValueTask ProcessAsync(HttpRequest request, HttpResponse response) => throw new InvalidOperationException("this connection never runs");
    }
}
