using FastS3.Tests.Storage.Disk.Index;

/// <summary>
/// Runs <see cref="CrashChild"/> when this assembly is started with DOTNET_STARTUP_HOOKS naming
/// it (the runtime looks the hook up by this exact name, outside any namespace). Inert otherwise.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable(CrashChild.DirectoryVariable) is { } directory)
        {
            CrashChild.Run(directory, Environment.GetEnvironmentVariable(CrashChild.RoundVariable)!);
        }
    }
}
