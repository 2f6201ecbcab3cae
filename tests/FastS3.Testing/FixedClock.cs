namespace FastS3.Testing;

/// <summary>A clock stopped at one instant, so captured and precomputed signatures stay inside the skew window.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
