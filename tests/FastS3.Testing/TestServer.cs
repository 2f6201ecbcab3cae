namespace FastS3.Testing;

/// <summary>
/// A fasts3 server as tests see it, wherever it runs (a <see cref="ServerProcess"/>, or hosted in
/// the test process): where it listens, its DATA_DIR and certificate directory (temporary unless
/// given; DATA_DIR deleted on dispose unless kept), and what it logged.
/// </summary>
public abstract class TestServer : IAsyncDisposable
{
    private readonly string? _ownedCertsParent;

    protected TestServer(string? dataDir, string? certsDir)
    {
        DataDir = dataDir ?? Directory.CreateTempSubdirectory("fasts3-data-").FullName;
        _ownedCertsParent = certsDir is null ? Directory.CreateTempSubdirectory("fasts3-certs-").FullName : null;
        CertsDir = certsDir ?? Path.Combine(_ownedCertsParent!, "certs");
    }

    public string DataDir { get; }

    public string CertsDir { get; }

    /// <summary>The certificate the server presents (self-signed unless given): what a client trusts it by.</summary>
    public string CertificatePath => Path.Combine(CertsDir, "public.crt");

    /// <summary>Keep DATA_DIR when disposed (to start another server on it).</summary>
    public bool KeepDataDir { get; set; }

    public Uri BaseUrl { get; protected set; } = null!;

    /// <summary>Everything the server logged.</summary>
    public abstract string Log { get; }

    /// <summary>Stops gracefully (in-flight requests finish, the store is closed); returns the exit code, 0 for a clean stop.</summary>
    public abstract Task<int> StopAsync();

    /// <summary>
    /// Where the logs of servers that failed inside (an exception no request handler expected) are
    /// appended when they stop, for CI to print: a test sees only the answer, often a bare 500.
    /// </summary>
    public static string FailureLogPath => Environment.GetEnvironmentVariable("FASTS3_SERVER_FAILURE_LOG") ?? Path.Combine(Path.GetTempPath(), "fasts3-server-failures.log");

    public async ValueTask DisposeAsync()
    {
        await ReleaseAsync();
        string log = Log;
        if (log.Contains("application failed", StringComparison.Ordinal) || log.Contains("unexpected failure", StringComparison.Ordinal))
        {
            await File.AppendAllTextAsync(FailureLogPath, $"==== server at {BaseUrl}, DATA_DIR {DataDir}\n{log}\n");
        }

        if (!KeepDataDir)
        {
            Directory.Delete(DataDir, recursive: true);
            File.Delete(KmsKeyFile);
        }

        if (_ownedCertsParent is not null)
        {
            Directory.Delete(_ownedCertsParent, recursive: true);
        }
    }

    /// <summary>
    /// The KMS master key file: beside DATA_DIR (never inside it), so a server started again on the
    /// same DATA_DIR, whatever its certificate directory, opens the key ring the first one made.
    /// </summary>
    public string KmsKeyFile => DataDir.TrimEnd(Path.DirectorySeparatorChar) + ".kms-master.key";

    /// <summary>The arguments after <c>fasts3 server</c> that start this server (the test's own --kms-key-file wins).</summary>
    protected string[] ServerArguments(string address, bool tls, IEnumerable<string>? extraArguments)
    {
        string[] extra = [.. extraArguments ?? []];
        string[] kms = extra.Contains("--kms-key-file") ? [] : ["--kms-key-file", KmsKeyFile];
        return [DataDir, "--address", address, "--certs-dir", CertsDir, .. kms, .. tls ? Array.Empty<string>() : ["--no-tls"], .. extra];
    }

    /// <summary>Stops the server however it must (gracefully if it can) and frees what it holds.</summary>
    protected abstract ValueTask ReleaseAsync();
}
