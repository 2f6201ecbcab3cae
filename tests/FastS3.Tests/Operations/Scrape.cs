using System.Globalization;
using System.Text.RegularExpressions;
using FastS3.Auth;
using FastS3.Testing;

namespace FastS3.Tests.Operations;

/// <summary>Reads the metrics endpoints as a scraper does, and the samples of an exposition.</summary>
internal static partial class Scrape
{
    /// <summary>A valid token for the test servers' root key, as <c>fasts3 admin prometheus-config</c> makes one.</summary>
    public static string Token => PrometheusToken.Create(AwsCli.AccessKey, AwsCli.SecretKey, DateTimeOffset.UtcNow.AddDays(1));

    /// <summary>What <c>fasts3 admin prometheus-config URL</c> prints for <paramref name="server"/>, run from <paramref name="executable"/> (null: the JIT build).</summary>
    public static async Task<string> GeneratedConfigAsync(string? executable, TestServer server)
    {
        var (exit, config, stderr) = await Processes.RunAsync(ServerProcess.Command(executable, ["admin", "prometheus-config", server.BaseUrl.ToString()]));
        Assert.True(exit == 0, stderr);
        return config;
    }

    /// <summary>The bearer token in a generated scrape configuration.</summary>
    public static string TokenOf(string config)
        => config.Split('\n').Single(l => l.Trim().StartsWith("credentials:", StringComparison.Ordinal)).Split(':')[1].Trim();

    /// <summary>GET of <paramref name="path"/> on a connection of its own; <paramref name="headers"/> are whole header lines.</summary>
    public static async Task<RawResponse> GetAsync(TestServer server, string path, params string[] headers)
    {
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: server.BaseUrl.Scheme == "https");
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n");
        return await client.ReadResponseAsync();
    }

    /// <summary>The exposition at /minio/v2/metrics/cluster, read with a valid token.</summary>
    public static async Task<string> MetricsAsync(TestServer server)
    {
        RawResponse response = await GetAsync(server, "/minio/v2/metrics/cluster", $"Authorization: Bearer {Token}");
        Assert.Equal(200, response.Status);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Headers["Content-Type"]);
        return response.BodyText;
    }

    /// <summary>Every sample: (name, labels without the server label) to value.</summary>
    public static Dictionary<(string Name, string Labels), double> Samples(string exposition)
    {
        var samples = new Dictionary<(string, string), double>();
        foreach (string line in exposition.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
        {
            Match match = SampleLine().Match(line);
            Assert.True(match.Success, $"not a sample line: {line}");
            string labels = string.Join(",", match.Groups["labels"].Value.Split(',').Where(l => l.Length > 0 && !l.StartsWith("server=", StringComparison.Ordinal)));
            samples[(match.Groups["name"].Value, labels)] = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return samples;
    }

    /// <summary>The names of the families an exposition declares.</summary>
    public static HashSet<string> Families(string exposition)
        => [.. exposition.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2])];

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>[^}]*)\} (?<value>\S+)$""")]
    private static partial Regex SampleLine();
}
