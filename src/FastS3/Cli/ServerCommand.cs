using System.CommandLine;
using System.Runtime.InteropServices;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Http;
using FastS3.Operations;
using FastS3.Storage;
using FastS3.Storage.Disk;
using FastS3.Storage.Disk.Index;
using FastS3.Tls;

namespace FastS3.Cli;

/// <summary>
/// <c>fasts3 server DATA_DIR [--address HOST:PORT] [--certs-dir DIR] [--no-tls] [--write-mode Buffered|Direct] [--domain a,b] [--region R]
/// [--keepalive-after MS] [--default-encryption sse-s3|none] [--max-connections N] [--header-timeout S] [--idle-timeout S] [--body-timeout S] [--write-timeout S] [--min-body-rate B]</c>
/// </summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var command = new Command("server", "Run the S3 server.");
        Func<ParseResult, IServerLog, Func<string, string?>, ServerSettings> read = Define(command);
        command.SetAction((result, cancellationToken) =>
        {
            var log = new ConsoleLog();
            ServerSettings settings;
            try
            {
                settings = read(result, log, Environment.GetEnvironmentVariable);
            }
            catch (FormatException ex)
            {
                log.Error(ex.Message);
                return Task.FromResult(2);
            }

            return RunAsync(settings, log, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// The settings of a <c>fasts3 server</c> command line (the arguments after "server"), read as
    /// the command reads them: how a host in another process (the tests') starts the same server.
    /// </summary>
    public static ServerSettings Parse(IReadOnlyList<string> arguments, IServerLog log, Func<string, string?>? environment = null)
    {
        var command = new Command("server");
        Func<ParseResult, IServerLog, Func<string, string?>, ServerSettings> read = Define(command);
        ParseResult result = command.Parse(arguments);
        return result.Errors.Count == 0
            ? read(result, log, environment ?? Environment.GetEnvironmentVariable)
            : throw new ArgumentException(string.Join(" ", result.Errors.Select(e => e.Message)));
    }

    /// <summary>Adds the command's argument and options to <paramref name="command"/>; returns how to read them (and the environment).</summary>
    private static Func<ParseResult, IServerLog, Func<string, string?>, ServerSettings> Define(Command command)
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
        var kmsKeyFile = new Option<FileInfo>("--kms-key-file")
        {
            Description = "File holding the KMS master key (NAME:BASE64), unless FASTS3_KMS_SECRET_KEY gives it. Default: kms-master.key in the certificate directory, made on first start. Back it up: without it SSE-S3 and SSE-KMS objects are lost.",
        };
        Option<int> kmsRewrapRate = AtLeast(0, "--kms-rewrap-rate", "After a KMS key rotation, at most this many records per second have their sealed keys moved to the new version, in the background (0: no bound).", 0);
        var noTls = new Option<bool>("--no-tls") { Description = "Serve plain HTTP. SSE-C requests are then refused, as S3 requires." };
        var writeMode = new Option<WriteMode>("--write-mode")
        {
            Description = "How object data reaches the disk, both durable (fdatasync before the reply): Buffered (page cache) or Direct (O_DIRECT).",
            DefaultValueFactory = _ => WriteMode.Buffered,
        };

        var domains = new Option<string>("--domain")
        {
            Description = "Comma-separated domains for virtual-host-style requests (Host: BUCKET.DOMAIN); path style always works.",
            DefaultValueFactory = _ => "localhost",
        };

        var region = new Option<string>("--region")
        {
            Description = "The server's region, as MinIO's site region: requests must be signed for it.",
            DefaultValueFactory = _ => SigV4Verifier.DefaultRegion,
        };
        region.Validators.Add(result =>
        {
            string value = result.GetValueOrDefault<string>() ?? "";
            if (value.Length is 0 or > 32 || value.Any(c => c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')))
            {
                result.AddError("--region must be 1 to 32 lower-case letters, digits and '-', such as us-east-1.");
            }
        });

        var keepAlive = new Option<int>("--keepalive-after")
        {
            Description = "Milliseconds a CompleteMultipartUpload or copy may work before its 200 is sent early and kept alive with whitespace, as S3 does.",
            DefaultValueFactory = _ => 2000,
        };

        var defaultEncryption = new Option<string>("--default-encryption")
        {
            Description = "Encryption of writes to a bucket without a default of its own (PutBucketEncryption): sse-s3 (what AWS does, for every new object) or none.",
            DefaultValueFactory = _ => "sse-s3",
        };

        var defaults = new HttpLimits();
        Option<int> maxConnections = Positive("--max-connections", "Open connections at once; beyond, new ones get 503 SlowDown (plain HTTP) or are closed (TLS).", defaults.MaxConnections);
        Option<int> headerTimeout = Positive("--header-timeout", "Seconds a client has to send a whole request head (a new connection: from its start).", Seconds(defaults.RequestHeadersTimeout));
        Option<int> idleTimeout = Positive("--idle-timeout", "Seconds a connection may sit idle between requests.", Seconds(defaults.KeepAliveTimeout));
        Option<int> bodyTimeout = Positive("--body-timeout", "Seconds a request body may send nothing at all.", Seconds(defaults.BodyReadTimeout));
        var accessLog = new Option<string>("--access-log")
        {
            Description = "File to append one JSON line per request to ('-': standard output); SIGHUP reopens it.",
        };
        Option<int> drainDelay = AtLeast(0, "--drain-delay", "Seconds a graceful stop keeps serving with the ready probe failing, so a load balancer stops sending first.", 0);
        Option<int> writeTimeout = Positive("--write-timeout", "Seconds a client may take no response bytes at all.", Seconds(defaults.ResponseWriteTimeout));
        Option<int> minBodyRate = AtLeast(0, "--min-body-rate", "Bytes per second a request body must average once it has been awaited for 5 s; 0 for no minimum.",
            (int)defaults.MinRequestBodyDataRate!.BytesPerSecond);

        // Not for production: the crash tests shrink the index memtables so that flushes and
        // compactions happen many times a round, where the default takes megabytes of writes.
        var memtableSize = new Option<int>("--index-memtable-size")
        {
            Description = "Bytes of keys and values a bucket index holds in memory before it flushes them to a table.",
            DefaultValueFactory = _ => (int)new OrderedIndexOptions().MemtableSize,
            Hidden = true,
        };
        memtableSize.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--index-memtable-size must be at least 1.");
            }
        });

        command.Add(dataDir);
        foreach (Option option in new Option[] { address, certsDir, kmsKeyFile, kmsRewrapRate, noTls, writeMode, domains, region, keepAlive, defaultEncryption, maxConnections, headerTimeout, idleTimeout, bodyTimeout, writeTimeout, minBodyRate, drainDelay, accessLog, memtableSize })
        {
            command.Add(option);
        }

        return (result, log, environment) =>
        {
            int rate = result.GetValue(minBodyRate);
            var limits = new HttpLimits
            {
                MaxConnections = OpenFilesLimit.Fit(result.GetValue(maxConnections), log),
                RequestHeadersTimeout = TimeSpan.FromSeconds(result.GetValue(headerTimeout)),
                KeepAliveTimeout = TimeSpan.FromSeconds(result.GetValue(idleTimeout)),
                BodyReadTimeout = TimeSpan.FromSeconds(result.GetValue(bodyTimeout)),
                ResponseWriteTimeout = TimeSpan.FromSeconds(result.GetValue(writeTimeout)),
                MinRequestBodyDataRate = rate == 0 ? null : new MinDataRate(rate, defaults.MinRequestBodyDataRate!.GracePeriod),
            };
            return new ServerSettings(
                result.GetValue(dataDir)!.FullName, result.GetValue(address)!, result.GetValue(certsDir)!.FullName, result.GetValue(noTls),
                new DiskStoreOptions { WriteMode = result.GetValue(writeMode), Index = new OrderedIndexOptions { MemtableSize = result.GetValue(memtableSize) } },
                result.GetValue(domains)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                new S3Options
                {
                    Region = result.GetValue(region)!,
                    KeepAliveDelay = TimeSpan.FromMilliseconds(Math.Max(0, result.GetValue(keepAlive))),
                    DefaultEncryption = ParseDefaultEncryption(result.GetValue(defaultEncryption)!),
                },
                limits,
                TimeSpan.FromSeconds(result.GetValue(drainDelay)),
                MetricsAuthType.IsPublic(environment(MetricsAuthType.Variable)),
                result.GetValue(accessLog) is { Length: > 0 } logPath ? logPath : null,
                ServiceManager.From(environment),
                KmsKeySource.From(environment, result.GetValue(kmsKeyFile)?.FullName, result.GetValue(certsDir)!.FullName),
                result.GetValue(kmsRewrapRate));
        };
    }

    /// <summary>A malformed value is a <see cref="FormatException"/>: one line and exit 2, as any malformed setting.</summary>
    private static ServerSideAlgorithm ParseDefaultEncryption(string value) => value switch
    {
        "sse-s3" => ServerSideAlgorithm.Aes256,
        "none" => ServerSideAlgorithm.None,
        _ => throw new FormatException($"--default-encryption must be sse-s3 or none, not '{value}'."),
    };

    private static Option<int> Positive(string name, string description, int defaultValue) => AtLeast(1, name, description, defaultValue);

    private static Option<int> AtLeast(int minimum, string name, string description, int defaultValue)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < minimum)
            {
                result.AddError(minimum == 0 ? $"{name} must be 0 or more." : $"{name} must be at least {minimum}.");
            }
        });
        return option;
    }

    private static int Seconds(TimeSpan span) => (int)span.TotalSeconds;

    private static async Task<int> RunAsync(ServerSettings settings, ConsoleLog log, CancellationToken cancellationToken)
    {
        FreedNativeMemory.ClearOnFree(log);
        // Stop gracefully on Ctrl+C (System.CommandLine's token) and on SIGTERM, registered before
        // the server announces itself so an early SIGTERM cannot kill it the hard way.
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.TrySetResult();
        });
        using CancellationTokenRegistration ctrlC = cancellationToken.Register(() => stop.TrySetResult());
        ServerHost? started = null;
        using PosixSignalRegistration sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            started?.ReopenAccessLog();
        });

        ServerHost host;
        try
        {
            host = await ServerHost.StartAsync(settings, RootCredentials.FromEnvironment(log), log);
        }
        catch (FormatException ex)
        {
            // A malformed setting (FASTS3_ROOT_USER/PASSWORD among them): said in one line, exit 2.
            log.Error(ex.Message);
            return 2;
        }
        catch (InvalidCertificateException ex)
        {
            log.Error($"TLS certificate in {settings.CertsDir} unusable: {ex.Message}");
            return 1;
        }

        started = host;
        await using (host)
        {
            await stop.Task;
            await host.StopAsync();
        }

        return 0;
    }
}
