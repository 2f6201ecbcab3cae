namespace FastS3.Http;

/// <summary>
/// The slowest a client may send a request body: after <see cref="GracePeriod"/> spent waiting for
/// body bytes, the bytes received must average at least <see cref="BytesPerSecond"/> over that
/// waiting time. Time the application spends not reading does not count against the client.
/// </summary>
public sealed class MinDataRate
{
    public MinDataRate(double bytesPerSecond, TimeSpan gracePeriod)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);

        // The heartbeat checks once a second; a shorter grace could not be honoured.
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.FromSeconds(1));
        BytesPerSecond = bytesPerSecond;
        GracePeriod = gracePeriod;
    }

    public double BytesPerSecond { get; }

    public TimeSpan GracePeriod { get; }
}
