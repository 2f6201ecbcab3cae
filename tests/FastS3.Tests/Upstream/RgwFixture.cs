using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using FastS3.Testing;
using FastS3.Upstream;

namespace FastS3.Tests.Upstream;

/// <summary>
/// The RGW tests share one gateway and run alone: the streamed-upload test counts the process's
/// allocations, which tests running beside it would inflate.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RgwCollection : ICollectionFixture<RgwFixture>
{
    public const string Name = "Rgw";
}

/// <summary>
/// Starts the Ceph RGW test bed (shared/peers/rgw/start.sh beside the repository, or beside the one
/// this checkout was cloned from) unless one is already up, reads the endpoint and keys it prints,
/// and stops at the end only what it started: another user's RGW is left running. Where radosgw is
/// missing it does nothing (the facts skip).
/// </summary>
public sealed class RgwFixture : IAsyncLifetime
{
    private string _scripts = "";

    private bool _started;

    public Dictionary<string, string> Settings { get; } = [];

    public Uri HttpsUrl => new(Settings["RGWPEER_HTTPS_URL"]);

    public Uri HttpUrl => new(Settings["RGWPEER_HTTP_URL"]);

    public async Task InitializeAsync()
    {
        if (!Processes.OnPath("radosgw") && Environment.GetEnvironmentVariable("FASTS3_NO_SKIP") != "1")
        {
            return;
        }

        _scripts = await FindScriptsAsync();

        // start.sh is idempotent; whether it found the gateway up decides who stops it.
        bool running = await AnswersAsync(int.Parse(Environment.GetEnvironmentVariable("RGWPEER_HTTPS_PORT") ?? "7443", System.Globalization.CultureInfo.InvariantCulture));
        (int exit, string stdout, string stderr) = await Processes.RunAsync(new ProcessStartInfo(Path.Combine(_scripts, "start.sh")), TimeSpan.FromMinutes(4));
        Assert.True(exit == 0, $"start.sh failed ({exit}):\n{stderr}");
        _started = !running;
        foreach (string line in stdout.Split('\n'))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (line.StartsWith("RGWPEER_", StringComparison.Ordinal) && equals > 0)
            {
                Settings[line[..equals]] = line[(equals + 1)..].Trim();
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_started)
        {
            await Processes.RunAsync(new ProcessStartInfo(Path.Combine(_scripts, "stop.sh")), TimeSpan.FromMinutes(1));
        }
    }

    public UpstreamClient Client(Uri? endpoint = null, string? secretKey = null) => new(new UpstreamOptions
    {
        Endpoint = endpoint ?? HttpsUrl,
        AccessKey = Settings["RGWPEER_ACCESS_KEY"],
        SecretKey = secretKey ?? Settings["RGWPEER_SECRET_KEY"],
        CaFile = Settings["RGWPEER_CA_BUNDLE"],
    });

    /// <summary>Runs <paramref name="test"/> on a new bucket of its own, which is emptied and deleted afterwards.</summary>
    public async Task InBucketAsync(string purpose, Func<UpstreamClient, string, Task> test, Uri? endpoint = null)
    {
        using UpstreamClient client = Client(endpoint);
        string bucket = BucketName(purpose);
        await client.CreateBucketAsync(bucket);
        try
        {
            await test(client, bucket);
        }
        finally
        {
            await DropBucketAsync(client, bucket);
        }
    }

    /// <summary>A new bucket whose name no other test (or user of the same RGW) can have.</summary>
    public static string BucketName(string purpose) => $"fs3up-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}-{purpose}";

    /// <summary>Deletes the bucket with whatever a test left in it (objects and uploads), bounded.</summary>
    public static async Task DropBucketAsync(UpstreamClient client, string bucket)
    {
        for (int round = 0; round < 20; round++)
        {
            ListObjectsPage page = await client.ListObjectsAsync(bucket, new ListObjectsQuery());
            if (page.Objects.Count == 0)
            {
                break;
            }

            await client.DeleteObjectsAsync(bucket, [.. page.Objects.Select(o => o.Key)]);
        }

        ListUploadsPage uploads = await client.ListMultipartUploadsAsync(bucket);
        foreach (UploadEntry upload in uploads.Uploads)
        {
            await client.AbortMultipartUploadAsync(bucket, upload.Key, upload.UploadId);
        }

        await client.DeleteBucketAsync(bucket);
    }

    /// <summary>
    /// The test bed's scripts: ../shared beside the repository, where every developer and CI have it;
    /// for a clone made from a local checkout (a CI check in a temporary folder), beside that checkout.
    /// </summary>
    private static async Task<string> FindScriptsAsync()
    {
        string root = Processes.RepositoryRoot();
        var candidates = new List<string> { root };
        (int exit, string origin, _) = await Processes.RunAsync("git", "-C", root, "config", "--get", "remote.origin.url");
        if (exit == 0 && Path.IsPathRooted(origin.Trim()))
        {
            candidates.Add(origin.Trim());
        }

        foreach (string checkout in candidates)
        {
            string scripts = Path.GetFullPath(Path.Combine(checkout, "..", "shared", "peers", "rgw"));
            if (File.Exists(Path.Combine(scripts, "start.sh")))
            {
                return scripts;
            }
        }

        Assert.Fail($"The RGW test bed (shared/peers/rgw/start.sh) is neither beside {string.Join(" nor beside ", candidates)}.");
        return "";
    }

    private static async Task<bool> AnswersAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            return false;
        }
    }
}
