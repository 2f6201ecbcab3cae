namespace FastS3.Load.Scenarios;

/// <summary>
/// Hands out request tickets until the request count is reached or the duration elapsed. A ticket is the
/// request's number in the run; workers use it to pick the key, so keys rotate evenly across connections.
/// </summary>
internal sealed class RunBudget(long maxRequests)
{
    private long _issued;
    private volatile bool _stopped;

    public bool TryTake(out long ticket)
    {
        ticket = Interlocked.Increment(ref _issued) - 1;
        return !_stopped && ticket < maxRequests;
    }

    public void Stop() => _stopped = true;
}
