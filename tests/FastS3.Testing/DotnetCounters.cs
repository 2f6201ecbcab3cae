namespace FastS3.Testing;

/// <summary>
/// The dotnet-counters global tool (.ci/run installs it with <c>dotnet tool install --global</c>):
/// found on PATH or in the global tools directory, which a fresh shell may not have on PATH yet.
/// </summary>
public static class DotnetCounters
{
    public static string? Path { get; } = Find();

    private static string? Find()
    {
        string global = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-counters");
        return Processes.OnPath("dotnet-counters") ? "dotnet-counters" : File.Exists(global) ? global : null;
    }
}
