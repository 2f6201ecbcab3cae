using FastS3.Cli;
using FastS3.Testing;
using FastS3.Tests.Storage.InMemory;

namespace FastS3.Tests.Hosting;

/// <summary>
/// The server <c>fasts3 server</c> runs, hosted in the test process: its command line read by the
/// command's own parser, then the same <see cref="ServerHost"/> (store on a real DATA_DIR, the
/// certificate generated and reloaded as by the executable, real TLS on 127.0.0.1). No process
/// start and no JIT warm-up per server: for tests of what the server answers, not of the process
/// (see <see cref="ServerProcess"/> for those). With FASTS3_TEST_STORE=memory the store is the
/// in-memory one (<see cref="MemoryStore"/>) instead, for every server whose test does not say it needs
/// the disk store (<c>onDisk</c>, or a DATA_DIR of its own).
/// </summary>
public sealed class InProcessServer : TestServer
{
    private readonly CapturingLog _log = new();
    private ServerHost? _host;

    private InProcessServer(string? dataDir, string? certsDir)
        : base(dataDir, certsDir)
    {
    }

    /// <summary>Whether this test run puts servers on the in-memory store (FASTS3_TEST_STORE=memory).</summary>
    public static bool InMemory { get; } = Environment.GetEnvironmentVariable("FASTS3_TEST_STORE") == "memory";

    public override string Log => _log.Text;

    /// <summary>What its store holds beneath the S3 API, whichever store it is.</summary>
    public StoredData Stored { get; private set; } = null!;

    /// <summary>
    /// Starts a server as <see cref="ServerProcess.StartAsync"/> would, with the same arguments; the
    /// variables it reads come from <paramref name="environment"/> when given (the process's are shared by every test);
    /// automatic key rotation reads the date from <paramref name="rotationClock"/> when given.
    /// </summary>
    public static async Task<InProcessServer> StartAsync(bool tls = true, string? certsDir = null, string? dataDir = null, IEnumerable<string>? extraArguments = null,
        IReadOnlyDictionary<string, string>? environment = null, bool onDisk = false, TimeProvider? rotationClock = null)
    {
        var server = new InProcessServer(dataDir, certsDir);
        try
        {
            Func<string, string?>? variables = environment is null ? null : name => environment.GetValueOrDefault(name);
            ServerSettings settings = ServerCommand.Parse(server.ServerArguments("127.0.0.1:0", tls, extraArguments), server._log, variables);
            MemoryStore? store = InMemory && !onDisk && dataDir is null ? new MemoryStore(settings.Store) : null;
            server.Stored = store is null ? StoredData.OnDisk(server.DataDir) : StoredData.InMemory(store);
            server._host = await ServerHost.StartAsync(settings, new RootCredentials(AwsCli.AccessKey, AwsCli.SecretKey), server._log, store, rotationClock);
            server.BaseUrl = new Uri($"{(tls ? "https" : "http")}://{server._host.EndPoints[0]}");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>As SIGTERM stops the executable: in-flight requests finish, then everything is closed.</summary>
    public override async Task<int> StopAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
            _host = null;
        }

        return 0;
    }

    protected override async ValueTask ReleaseAsync() => await StopAsync();
}
