namespace FastS3.Http.Metrics;

/// <summary>
/// What the transport counts about connections and bytes, for an application to expose: totals
/// since start, recorded without locks (see <see cref="StripedCounters"/>). Bytes are counted on
/// the wire, so over TLS they include record overhead and handshakes.
/// </summary>
public sealed class TransportMetrics
{
    private const int Accepted = 0;
    private const int Refused = 1;
    private const int TlsHandshakes = 2;
    private const int TlsFailures = 3;
    private const int Received = 4;
    private const int Sent = 5;
    private const int Closed = 6;

    private readonly StripedCounters _counters = new(7);

    /// <summary>Connections open now, lingering ones included.</summary>
    public long ConnectionsOpen => ConnectionsAccepted - _counters.Sum(Closed);

    public long ConnectionsAccepted => _counters.Sum(Accepted);

    /// <summary>Connections turned away at accept for the connection limit.</summary>
    public long ConnectionsRefused => _counters.Sum(Refused);

    public long TlsHandshakesCompleted => _counters.Sum(TlsHandshakes);

    /// <summary>Handshakes that failed, timed out or were abandoned by the client.</summary>
    public long TlsHandshakesFailed => _counters.Sum(TlsFailures);

    public long BytesReceived => _counters.Sum(Received);

    public long BytesSent => _counters.Sum(Sent);

    internal void OnAccepted() => _counters.Increment(Accepted);

    internal void OnClosed() => _counters.Increment(Closed);

    internal void OnRefused() => _counters.Increment(Refused);

    internal void OnHandshake(bool completed) => _counters.Increment(completed ? TlsHandshakes : TlsFailures);

    internal void OnReceived(int bytes) => _counters.Add(Received, bytes);

    internal void OnSent(int bytes) => _counters.Add(Sent, bytes);
}
