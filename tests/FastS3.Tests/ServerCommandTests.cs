using FastS3.Api;
using FastS3.Cli;
using FastS3.Storage;
using FastS3.Storage.Disk;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>What <c>fasts3 server</c> reads from its command line: the settings the in-process test host starts from too.</summary>
public class ServerCommandTests
{
    [Fact]
    public void DefaultsAreTheDocumentedOnes()
    {
        ServerSettings settings = ServerCommand.Parse(["data"], SilentLog.Instance);
        Assert.Equal(Path.GetFullPath("data"), settings.DataDir);
        Assert.Equal(":9000", settings.Address);
        Assert.EndsWith(Path.Combine(".fasts3", "certs"), settings.CertsDir);
        Assert.False(settings.NoTls);
        Assert.Equal(WriteMode.Buffered, settings.Store.WriteMode);
        Assert.Equal(4 << 20, settings.Store.Index.MemtableSize);
        Assert.Equal(["localhost"], settings.Domains);
        Assert.Equal("us-east-1", settings.S3.Region);
        Assert.Equal(TimeSpan.FromSeconds(2), settings.S3.KeepAliveDelay);
        Assert.Equal(ServerSideAlgorithm.Aes256, settings.S3.DefaultEncryption);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), settings.Limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Limits.BodyReadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Limits.ResponseWriteTimeout);
        Assert.Equal(240, settings.Limits.MinRequestBodyDataRate!.BytesPerSecond);
    }

    [Fact]
    public void EveryOptionIsRead()
    {
        ServerSettings settings = ServerCommand.Parse(
        [
            "/srv/data", "--address", "127.0.0.1:0", "--certs-dir", "/srv/certs", "--no-tls", "--write-mode", "Direct", "--domain", "s3.test, other.test",
            "--region", "eu-central-1", "--keepalive-after", "0", "--max-connections", "100", "--header-timeout", "2", "--idle-timeout", "3",
            "--body-timeout", "4", "--write-timeout", "5", "--min-body-rate", "0", "--index-memtable-size", "4096", "--default-encryption", "none",
        ], SilentLog.Instance);
        Assert.Equal(("/srv/data", "127.0.0.1:0", "/srv/certs", true, WriteMode.Direct), (settings.DataDir, settings.Address, settings.CertsDir, settings.NoTls, settings.Store.WriteMode));
        Assert.Equal(4096, settings.Store.Index.MemtableSize);
        Assert.Equal(["s3.test", "other.test"], settings.Domains);
        Assert.Equal(("eu-central-1", TimeSpan.Zero, ServerSideAlgorithm.None), (settings.S3.Region, settings.S3.KeepAliveDelay, settings.S3.DefaultEncryption));
        Assert.Equal(100, settings.Limits.MaxConnections);
        Assert.Equal([2, 3, 4, 5], new[] { settings.Limits.RequestHeadersTimeout, settings.Limits.KeepAliveTimeout, settings.Limits.BodyReadTimeout, settings.Limits.ResponseWriteTimeout }.Select(t => t.TotalSeconds));
        Assert.Null(settings.Limits.MinRequestBodyDataRate);
    }

    [Theory]
    [InlineData("--region", "EU_WEST")]
    [InlineData("--header-timeout", "0")]
    [InlineData("--min-body-rate", "-1")]
    [InlineData("--write-mode", "Sometimes")]
    [InlineData("--index-memtable-size", "0")]
    public void InvalidValuesAreRefused(string option, string value)
        => Assert.Throws<ArgumentException>(() => ServerCommand.Parse(["data", option, value], SilentLog.Instance));

    [Theory]
    [InlineData("aes256")]
    [InlineData("SSE-S3")]
    [InlineData("sse-kms")]
    [InlineData("")]
    public void AnUnknownDefaultEncryptionIsAMalformedSetting(string value)
        => Assert.Throws<FormatException>(() => ServerCommand.Parse(["data", "--default-encryption", value], SilentLog.Instance));

    /// <summary>Credentials too short for S3 clients, or an unknown default encryption: one line saying so and exit 2, as any malformed setting, never an unhandled exception.</summary>
    [Theory]
    [InlineData("server", "FASTS3_ROOT_USER needs at least 3 characters", "ab")]
    [InlineData("admin", "FASTS3_ROOT_USER needs at least 3 characters", "ab")]
    [InlineData("server", "--default-encryption must be sse-s3 or none", AwsCli.AccessKey, "--default-encryption", "aes256")]
    public async Task MalformedSettingsAreRefusedInOneLine(string command, string message, string user, params string[] more)
    {
        string data = Directory.CreateTempSubdirectory("fasts3-malformed-setting-").FullName;
        try
        {
            string[] arguments = command == "server"
                ? ["server", Path.Combine(data, "data"), "--certs-dir", Path.Combine(data, "certs"), "--address", "127.0.0.1:0", .. more]
                : ["admin", "prometheus-config", "https://127.0.0.1:9000"];
            System.Diagnostics.ProcessStartInfo start = ServerProcess.Command(null, arguments);
            start.Environment["FASTS3_ROOT_USER"] = user;
            var (exit, stdout, stderr) = await Processes.RunAsync(start, TimeSpan.FromMinutes(1));
            Assert.Equal(2, exit);
            Assert.Single((stdout + stderr).Split('\n'), line => line.Contains(message));
            Assert.DoesNotContain("Usage:", stdout + stderr);
            Assert.DoesNotContain("Unhandled exception", stdout + stderr);
            Assert.DoesNotContain(AwsCli.SecretKey, stdout + stderr);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
