using FastS3.Load.Scenarios;

namespace FastS3.Load.Cli;

/// <summary>Everything <c>run</c> and <c>compare</c> were asked to do, validated.</summary>
internal sealed record LoadSettings(
    IReadOnlyList<ScenarioKind> Scenarios,
    IReadOnlyList<long> Sizes,
    int? Objects,
    RunLimits Limits,
    TimeSpan Warmup,
    bool SseC,
    string Bucket,
    bool CreateBucket,
    bool Insecure,
    AuthMode Auth,
    string Region,
    string Prefix,
    int Rounds)
{
    /// <summary>Pre-populated bytes per case are capped so a typo in --objects does not fill the disk.</summary>
    public const long MaxPopulatedBytes = 16L << 30;

    public IEnumerable<ScenarioCase> Cases => Sizes.SelectMany(size => Scenarios.Select(kind => new ScenarioCase(kind, size, SseC)));

    /// <summary>Distinct keys per case: as asked, or up to 64 and about 1 GiB in total.</summary>
    public int ObjectsFor(long size) => Objects ?? (int)Math.Clamp((1L << 30) / size, 1, 64);
}
