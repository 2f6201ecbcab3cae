namespace FastS3.Tests;

/// <summary>A fact that runs only when FASTS3_SOAK is set (long soaks stay out of the default run).</summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public SoakFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FASTS3_SOAK")))
        {
            Skip = "Soak: set FASTS3_SOAK=1 to run.";
        }
    }
}

/// <summary>
/// A fact that mounts a filesystem, so needs root: skipped, saying why, for anyone else. As root it
/// always runs, and fails if the mount is refused all the same (see <see cref="Testing.TmpfsMount"/>).
/// With FASTS3_NO_SKIP=1 (as .ci/run sets) it is never skipped: without root it runs and fails.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess && Environment.GetEnvironmentVariable("FASTS3_NO_SKIP") != "1")
        {
            Skip = "Needs root: it mounts a small tmpfs to fill up (CI runs the tests as root).";
        }
    }
}

/// <summary>
/// A fact that runs Prometheus's own tools (Debian's <c>prometheus</c> package: prometheus and
/// promtool, which .ci/run installs): skipped, saying why, where they are missing; with
/// FASTS3_NO_SKIP=1 never skipped, so a missing package fails.
/// </summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute()
    {
        string[] missing = [.. new[] { "prometheus", "promtool" }.Where(tool => !Testing.Processes.OnPath(tool))];
        if (missing.Length > 0 && Environment.GetEnvironmentVariable("FASTS3_NO_SKIP") != "1")
        {
            Skip = $"Needs {string.Join(" and ", missing)} (Debian package prometheus; .ci/run installs it).";
        }
    }
}

/// <summary>
/// A fact that runs dotnet-counters (a .NET global tool, which .ci/run installs): skipped, saying
/// why, where it is missing; with FASTS3_NO_SKIP=1 never skipped, so a missing tool fails.
/// </summary>
public sealed class DotnetCountersFactAttribute : FactAttribute
{
    public DotnetCountersFactAttribute()
    {
        if (Testing.DotnetCounters.Path is null && Environment.GetEnvironmentVariable("FASTS3_NO_SKIP") != "1")
        {
            Skip = "Needs dotnet-counters (dotnet tool install --global dotnet-counters; .ci/run installs it).";
        }
    }
}

/// <summary>
/// A fact that builds and runs a container image with podman and runc (Debian packages; .ci/run
/// installs them, and there is no Docker engine here): skipped, saying why, where they are
/// missing; with FASTS3_NO_SKIP=1 never skipped, so a missing tool fails.
/// </summary>
public sealed class PodmanFactAttribute : FactAttribute
{
    public PodmanFactAttribute()
    {
        string[] missing = [.. new[] { "podman", "runc" }.Where(tool => !Testing.Processes.OnPath(tool))];
        if (missing.Length > 0 && Environment.GetEnvironmentVariable("FASTS3_NO_SKIP") != "1")
        {
            Skip = $"Needs {string.Join(" and ", missing)} (Debian packages; .ci/run installs them).";
        }
    }
}

/// <summary>
/// A fact against the Ceph RADOS Gateway test bed (../shared/peers/rgw; Debian packages radosgw,
/// ceph-mon, ceph-osd, ceph-common, which .ci/run installs): skipped, saying why, where radosgw is
/// missing; with FASTS3_NO_SKIP=1 never skipped, so a missing package fails.
/// </summary>
public sealed class RgwFactAttribute : FactAttribute
{
    public RgwFactAttribute()
    {
        if (!Testing.Processes.OnPath("radosgw") && Environment.GetEnvironmentVariable("FASTS3_NO_SKIP") != "1")
        {
            Skip = "Needs radosgw (Debian packages radosgw ceph-mon ceph-osd ceph-common; .ci/run installs them).";
        }
    }
}
