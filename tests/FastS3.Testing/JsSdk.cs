using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace FastS3.Testing;

/// <summary>
/// Runs operations of the AWS SDK for JavaScript v3 at its default settings (path style) against a
/// test server through <c>tests/clients/js/s3.mjs</c>, in a node process kept warm for that
/// server: credentials, region and one attempt given in its environment, the server's certificate
/// trusted through NODE_EXTRA_CA_CERTS. The SDK comes from <c>npm ci</c> in that directory, run
/// here the first time it is missing (so README's test command works on a fresh machine).
/// </summary>
public static class JsSdk
{
    private static readonly string ClientDirectory = Path.Combine(Processes.RepositoryRoot(), "tests", "clients", "js");

    // NODE_EXTRA_CA_CERTS is read once, as node starts: a process trusts one server's certificate.
    private static readonly ConcurrentDictionary<string, LineWorkers> Workers = new();

    private static readonly Lazy<Task> Installed = new(InstallAsync);

    /// <summary>The operation's result as JSON, or the S3 error the SDK reported.</summary>
    public static async Task<JsonElement> RunAsync(TestServer server, string operation, params string[] arguments)
    {
        LineWorkers workers = Workers.GetOrAdd(server.CertificatePath, certificate => new LineWorkers("node", () => StartAsync(certificate), processes: 1));
        JsonElement reply = await workers.CallAsync(new { endpoint = server.BaseUrl.ToString(), operation, args = arguments }, TimeSpan.FromMinutes(2));
        if (reply.TryGetProperty("error", out JsonElement error))
        {
            throw new S3ClientError(error.GetProperty("status").GetInt32(), error.GetProperty("code").GetString()!, error.GetProperty("message").GetString()!);
        }

        return reply.GetProperty("result");
    }

    /// <summary>
    /// The SDK at the versions the lock file names, installed unless it is there. Under a lock file:
    /// the in-memory pass (InMemorySuiteTests) is a second test process that may get here at once.
    /// </summary>
    private static async Task InstallAsync()
    {
        using FileStream installing = await LockAsync(Path.Combine(ClientDirectory, ".npm-ci.lock"));
        if (Directory.Exists(Path.Combine(ClientDirectory, "node_modules", "@aws-sdk", "client-s3")))
        {
            return;
        }

        var (exit, _, stderr) = await Processes.RunAsync(new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund"]) { WorkingDirectory = ClientDirectory }, TimeSpan.FromMinutes(5));
        if (exit != 0)
        {
            throw new InvalidOperationException($"`npm ci` in {ClientDirectory} failed ({exit}): {stderr}");
        }
    }

    private static async Task<FileStream> LockAsync(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 600)
            {
                await Task.Delay(500);
            }
        }
    }

    private static async Task<ProcessStartInfo> StartAsync(string certificate)
    {
        await Installed.Value;

        var start = new ProcessStartInfo("node", [Path.Combine(ClientDirectory, "s3.mjs")]);
        start.Environment["AWS_ACCESS_KEY_ID"] = AwsCli.AccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = AwsCli.SecretKey;
        start.Environment["AWS_REGION"] = "us-east-1";
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["NODE_EXTRA_CA_CERTS"] = certificate;

        // The locked SDK runs on this node (20); the warning is about versions published later.
        start.Environment["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] = "true";
        return start;
    }
}
