using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// Builds <c>deploy/Containerfile</c> around the published AOT binary and runs the SSE-C walkthrough
/// against the container. The base is made here from this machine's glibc and OpenSSL (what the
/// binary needs: libc, libm, and libssl/libcrypto loaded at run time), since no registry is reachable;
/// the recipe's default base (.NET's runtime-deps) holds the same.
/// </summary>
[Trait("Store", "Disk")]
public class ContainerImageTests
{
    /// <summary>This VM's quirks, not the recipe's: crun refuses its hybrid cgroups, and podman's default ulimits exceed what it permits.</summary>
    private static readonly string[] Runtime = ["--runtime", "runc", "--cgroup-manager", "cgroupfs"];

    private static readonly string[] Libraries =
    [
        "/lib64/ld-linux-x86-64.so.2",
        "/lib/x86_64-linux-gnu/libc.so.6",
        "/lib/x86_64-linux-gnu/libm.so.6",
        "/lib/x86_64-linux-gnu/libssl.so.3",
        "/lib/x86_64-linux-gnu/libcrypto.so.3",
    ];

    [PodmanFact]
    public async Task TheImageServesTheSseCWalkthroughAsANonRootUser()
    {
        string binary = await NativeAotTests.Binary.Value;
        Assert.True(File.Exists(binary));
        string name = $"fasts3-test-{Guid.NewGuid():N}";
        string baseImage = $"localhost/{name}-base:latest", image = $"localhost/{name}:latest";
        string scratch = Directory.CreateTempSubdirectory("fasts3-container-").FullName;
        try
        {
            await ImportBaseAsync(scratch, baseImage);
            await PodmanAsync(TimeSpan.FromMinutes(3), "build", "--build-arg", $"BASE={baseImage}", "-f", Path.Combine(Processes.RepositoryRoot(), "deploy", "Containerfile"), "-t", image, Processes.RepositoryRoot());

            int port = FreeLoopbackPort();
            await PodmanAsync(TimeSpan.FromMinutes(1), [.. Runtime, "run", "-d", "--name", name, "--network", "host",
                "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096",
                "-e", $"FASTS3_ROOT_USER={AwsCli.AccessKey}", "-e", $"FASTS3_ROOT_PASSWORD={AwsCli.SecretKey}",
                image, "server", "/var/lib/fasts3/data", "--certs-dir", "/var/lib/fasts3/certs", "--address", $"127.0.0.1:{port}"]);
            await WaitForListeningAsync(name);

            var endpoint = new Uri($"https://127.0.0.1:{port}");
            string diary = Path.Combine(scratch, "my-diary.txt");
            await File.WriteAllTextAsync(diary, "Dear diary, the container kept my secret.\n");
            string[] sseC = ["--sse-customer-algorithm", "AES256", "--sse-customer-key", "MzJieXRlc2xvbmdzZWNyZXRrZXltdXN0cHJvdmlkZWQ=", "--sse-customer-key-md5", "7PpPLAK26ONlVUGOWlusfg=="];
            await AssertAwsAsync(endpoint, "s3api", "create-bucket", "--bucket", "my-bucket");
            await AssertAwsAsync(endpoint, ["s3api", "put-object", "--bucket", "my-bucket", "--key", "my-secret-diary", "--body", diary, .. sseC]);
            string copy = Path.Combine(scratch, "read-back.txt");
            await AssertAwsAsync(endpoint, ["s3api", "get-object", "--bucket", "my-bucket", "--key", "my-secret-diary", .. sseC, copy]);
            Assert.Equal(await File.ReadAllTextAsync(diary), await File.ReadAllTextAsync(copy));

            // The server runs as the image's user, not as root.
            (_, string top, _) = await PodmanAsync(TimeSpan.FromSeconds(30), [.. Runtime, "top", name, "huser", "args"]);
            Assert.Contains("1654", top);
            Assert.DoesNotContain("root", top);
        }
        finally
        {
            await Processes.RunAsync("podman", [.. Runtime, "rm", "--force", "--time", "5", name]);
            await Processes.RunAsync("podman", "rmi", "--force", image, baseImage);
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>A base image of nothing but the binary's libraries and a /tmp.</summary>
    private static async Task ImportBaseAsync(string scratch, string tag)
    {
        string root = Path.Combine(scratch, "rootfs");
        foreach (string library in Libraries)
        {
            string target = root + library;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(library, target);
        }

        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)0b1_111_111_111);
        var (exit, stdout, stderr) = await Processes.RunAsync(new ProcessStartInfo("bash", ["-c", $"tar -C '{root}' -c . | podman import - '{tag}'"]), TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, stdout + stderr);
    }

    private static async Task WaitForListeningAsync(string container)
    {
        string logs = "";
        for (int i = 0; i < 200 && !logs.Contains("listening on", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            (_, string stdout, string stderr) = await Processes.RunAsync("podman", "logs", container);
            logs = stdout + stderr;
        }

        Assert.True(logs.Contains("listening on", StringComparison.Ordinal), logs);
    }

    private static async Task<(int, string, string)> PodmanAsync(TimeSpan timeout, params string[] arguments)
    {
        var (exit, stdout, stderr) = await Processes.RunAsync(new ProcessStartInfo("podman", arguments), timeout);
        Assert.True(exit == 0, $"podman {string.Join(' ', arguments)}: {stdout}{stderr}");
        return (exit, stdout, stderr);
    }

    private static async Task AssertAwsAsync(Uri endpoint, params string[] arguments)
    {
        var (exit, stdout, stderr) = await AwsCli.RunAsync(endpoint, arguments);
        Assert.True(exit == 0, stdout + stderr);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
