using System.CommandLine;
using System.Runtime.InteropServices;
using FastS3.Api;
using FastS3.Http;
using FastS3.Tls;

namespace FastS3.Cli;

/// <summary><c>fasts3 server DATA_DIR [--address HOST:PORT] [--certs-dir DIR] [--no-tls]</c></summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var dataDir = new Argument<DirectoryInfo>("DATA_DIR") { Description = "Directory holding buckets and objects (created if missing)." };
        var address = new Option<string>("--address")
        {
            Description = "HOST:PORT to listen on. ':9000' is every interface (IPv4 and IPv6), 'localhost:9000' both loopbacks.",
            DefaultValueFactory = _ => ":9000",
        };
        var certsDir = new Option<DirectoryInfo>("--certs-dir")
        {
            Description = "Directory with public.crt and private.key (PEM). A self-signed pair is generated there if it has none.",
            DefaultValueFactory = _ => new DirectoryInfo(CertificateFiles.DefaultDirectory),
        };
        var noTls = new Option<bool>("--no-tls") { Description = "Serve plain HTTP. SSE-C requests are then refused, as S3 requires." };

        var command = new Command("server", "Run the S3 server.") { dataDir, address, certsDir, noTls };
        command.SetAction((result, cancellationToken) => RunAsync(
            result.GetValue(dataDir)!, result.GetValue(address)!, result.GetValue(certsDir)!, result.GetValue(noTls), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(DirectoryInfo dataDir, string address, DirectoryInfo certsDir, bool noTls, CancellationToken cancellationToken)
    {
        var log = new ConsoleLog();
        IReadOnlyList<System.Net.IPEndPoint> endPoints;
        try
        {
            endPoints = ListenAddress.Parse(address);
        }
        catch (FormatException ex)
        {
            log.Error(ex.Message);
            return 2;
        }

        RootCredentials credentials = RootCredentials.FromEnvironment(log);
        dataDir.Create();

        var options = new HttpServerOptions
        {
            Limits = new HttpLimits(),
            Log = log,
            Certificate = noTls ? null : CertificateFiles.LoadOrCreate(certsDir.FullName, log),
        };
        foreach (System.Net.IPEndPoint endPoint in endPoints)
        {
            options.EndPoints.Add(endPoint);
        }

        await using var server = new HttpServer(options, new S3Application());
        server.Start();

        string scheme = noTls ? "http" : "https";
        foreach (System.Net.IPEndPoint endPoint in server.EndPoints)
        {
            log.Info($"listening on {scheme}://{endPoint}");
        }

        log.Info($"data directory {dataDir.FullName}, root user {credentials.AccessKey}");

        // Stop gracefully on Ctrl+C (handled by System.CommandLine's token) and on SIGTERM.
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        using CancellationTokenRegistration ctrlC = cancellationToken.Register(() => stop.TrySetResult());
        await stop.Task;

        log.Info("stopping: draining in-flight requests");
        await server.StopAsync();
        log.Info("stopped");
        return 0;
    }
}
