namespace FastS3.Load.Scenarios;

/// <summary>How long one measured run may go: a duration, a request count, or both (whichever ends first).</summary>
internal sealed record RunLimits(int Connections, TimeSpan? Duration, long? Requests)
{
    /// <summary>No run, however it is bounded, outlives this; in-flight requests are then cancelled.</summary>
    public static readonly TimeSpan HardCap = TimeSpan.FromMinutes(10);

    /// <summary>A duration-bounded run lets in-flight requests finish; a 1 GiB transfer may need this long.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(60);
}
