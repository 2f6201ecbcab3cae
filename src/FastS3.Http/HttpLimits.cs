namespace FastS3.Http;

/// <summary>
/// Bounds on everything a client controls. Exceeding a size limit is answered with its status and a
/// closed connection; exceeding a time limit closes the connection (408 when a request had begun).
/// </summary>
public sealed class HttpLimits
{
    /// <summary>Request line, without its CRLF (414 beyond).</summary>
    public int MaxRequestLineSize { get; init; } = 8 * 1024;

    /// <summary>All header lines together, CRLFs included (431 beyond). Also bounds trailers.</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = 64 * 1024;

    /// <summary>Header fields in one request (431 beyond). Also bounds trailer fields.</summary>
    public int MaxRequestHeaderCount { get; init; } = 100;

    /// <summary>A chunk-size line including extensions (400 beyond).</summary>
    public int MaxChunkLineSize { get; init; } = 4 * 1024;

    /// <summary>Decoded request body bytes (413 beyond).</summary>
    public long MaxRequestBodySize { get; init; } = long.MaxValue;

    /// <summary>
    /// From the first byte of a request until its header block is complete; for a connection's
    /// first request, from the connection's start (after TLS), so a client that connects and says
    /// nothing is not kept for <see cref="KeepAliveTimeout"/>. Bytes trickling in do not extend it.
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a connection may sit idle between requests.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>How long one body read may wait for the client to send more bytes.</summary>
    public TimeSpan BodyReadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The slowest average a body may arrive at (null: no minimum). Catches clients that send a byte
    /// just often enough to keep every single read within <see cref="BodyReadTimeout"/>.
    /// </summary>
    public MinDataRate? MinRequestBodyDataRate { get; init; } = new(240, TimeSpan.FromSeconds(5));

    /// <summary>How long one flush may wait for the client to take response bytes.</summary>
    public TimeSpan ResponseWriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a connection that closes on a request it has not read to its end (an upload refused
    /// before its body) goes on reading and discarding what the client sends, after its answer and
    /// the end of its own stream (TLS close_notify, then FIN); zero closes at once. Closing on
    /// unread bytes resets the connection, and a client still writing its body (most write a whole
    /// request before they read) then sees the reset instead of the answer. Counted from the end of
    /// the answer, not extended by what arrives, and checked once a second.
    /// </summary>
    public TimeSpan LingerTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Bytes a lingering close discards, as they arrive (TLS records whole), before it closes
    /// regardless (see <see cref="LingerTimeout"/>): a whole multipart part of up to about 32 MiB
    /// (SDKs default to 8 MiB), so that a client that sends one before it reads gets its answer.
    /// </summary>
    public long MaxLingerSize { get; init; } = 32L << 20;

    /// <summary>
    /// Response bytes the kernel may hold for a client beyond those in flight (TCP_NOTSENT_LOWAT;
    /// null keeps the system's setting, unlimited by default). Unlimited, a client that stops
    /// reading pins the socket's whole send buffer in kernel memory: up to 4 MiB, and over loopback
    /// (64 KiB segments) about 2.5 MiB from the start, so a thousand such clients exhaust the host's
    /// TCP memory and stall every connection on it. Bytes in flight are not limited: fast clients
    /// on long links keep their throughput.
    /// </summary>
    public int? MaxUnsentBytes { get; init; } = 512 * 1024;

    /// <summary>TLS handshake, from accept to an authenticated stream.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a graceful stop waits for in-flight requests before aborting them.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Open connections at once. A connection beyond is refused at accept: over plain HTTP with a
    /// 503 (shaped by <see cref="IHttpApplication.WriteTransportError"/>), over TLS by closing it.
    /// </summary>
    public int MaxConnections { get; init; } = 10_000;
}
