namespace FastS3.Load.Scenarios;

/// <summary>Which request a given ticket (the n-th request of the run) becomes.</summary>
internal sealed class RequestPlan(RequestFactory primary, RequestFactory? secondary = null, int primaryPercent = 100)
{
    public RequestFactory Choose(long ticket)
    {
        if (secondary is null)
        {
            return primary;
        }

        // A multiplicative hash of the ticket spreads the mix evenly without a random generator per worker.
        return (uint)(ticket * 2654435761L) % 100 < primaryPercent ? primary : secondary;
    }
}
