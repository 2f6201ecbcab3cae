using System.Diagnostics;
using System.Text.Json;
using FastS3.Testing;
using Xunit.Abstractions;

namespace FastS3.Tests;

/// <summary>
/// 512 keep-alive HTTPS connections of mixed SSE-C traffic (70 % GET, 30 % PUT overwriting a
/// bounded set of 4 KiB objects), driven by the load tool (perf/FastS3.Load) against the real
/// server: no request may fail, and memory stays bounded. The default run lasts
/// <see cref="DefaultSeconds"/> s, too short for the GC heap to reach its steady size, so it holds
/// RSS under <see cref="CeilingMiB"/>; runs of <see cref="FlatAfterSeconds"/> s and more
/// (FASTS3_LOAD_SECONDS=300 is the 5-minute one; perf/soak.sh does the same against the native
/// binary and writes the RSS series) also require RSS to level off rather than keep growing.
/// It saturates both cores, so it runs alone, with the attack tests.
/// </summary>
[Collection(AttackCollection.Name)]
[Trait("Store", "Disk")]
public sealed class LoadSoakTests(ITestOutputHelper output)
{
    private const int DefaultSeconds = 15;
    private const int Connections = 512;
    private const long SlackKiB = 32 * 1024;
    private const long CeilingMiB = 512;
    private const int FlatAfterSeconds = 120;

    [Fact]
    public async Task MixedSseCOn512ConnectionsFailsNothingAndMemoryStaysBounded()
    {
        int seconds = int.Parse(Environment.GetEnvironmentVariable("FASTS3_LOAD_SECONDS") ?? DefaultSeconds.ToString());
        await using ServerProcess server = await ServerProcess.StartAsync();
        string results = Path.Combine(Path.GetTempPath(), $"fasts3-load-{Guid.NewGuid():N}.json");
        var samples = new List<(double Seconds, long RssKiB)>();
        using var stop = new CancellationTokenSource();
        Task sampler = SampleRssAsync(server, samples, stop.Token);
        try
        {
            var (exit, stdout, stderr) = await Processes.RunAsync(
                new ProcessStartInfo(LoadTool(),
                [
                    "run", "--target", $"fasts3={server.BaseUrl.GetLeftPart(UriPartial.Authority)},{AwsCli.AccessKey},{AwsCli.SecretKey}",
                    "--insecure", "--create-bucket", "--sse-c", "--scenario", "mixed", "--size", "4KiB",
                    "--connections", Connections.ToString(), "--duration", $"{seconds}s", "--json", results,
                ]),
                TimeSpan.FromSeconds(seconds + 120));
            Assert.True(exit == 0, $"fasts3-load exited {exit}\n{stdout}\n{stderr}");

            using JsonDocument json = JsonDocument.Parse(File.ReadAllText(results));
            JsonElement result = json.RootElement.GetProperty("results")[0];
            long requests = result.GetProperty("requests").GetInt64();
            long errors = result.GetProperty("errors").GetInt64();
            output.WriteLine($"{requests} requests, {result.GetProperty("requestsPerSecond").GetDouble():F0} req/s, p99 {result.GetProperty("p99Ms").GetDouble()} ms, {errors} errors {result.GetProperty("errorsByStatus")}");
            Assert.Equal(0, errors);
            Assert.True(requests > Connections * 10, $"only {requests} requests");
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
            File.Delete(results);
        }

        output.WriteLine("RSS (MiB) per second: " + string.Join(' ', samples.Select(s => s.RssKiB / 1024)));

        long peak = samples.Max(s => s.RssKiB);
        Assert.True(peak <= CeilingMiB * 1024, $"RSS peaked at {peak / 1024} MiB with {Connections} connections");
        if (seconds < FlatAfterSeconds)
        {
            return;
        }

        // After the first third (warm-up, pools and heap growing to the load), the last third may not
        // climb above the middle one: growth that continues is a leak, not a working set.
        int third = samples.Count / 3;
        long middle = samples.Skip(third).Take(third).Max(s => s.RssKiB);
        long last = samples.Skip(2 * third).Max(s => s.RssKiB);
        Assert.True(last <= (middle * 1.15) + SlackKiB, $"RSS still growing: middle third peaked at {middle / 1024} MiB, last third at {last / 1024} MiB");
    }

    private static async Task SampleRssAsync(ServerProcess server, List<(double, long)> samples, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            samples.Add((clock.Elapsed.TotalSeconds, server.ResidentBytes() / 1024));
            try
            {
                await Task.Delay(1000, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>The load tool, built beside this project in the same configuration (see the csproj).</summary>
    private static string LoadTool()
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        string path = Path.Combine(Processes.RepositoryRoot(), "perf", "FastS3.Load", "bin", configuration, "net10.0", "fasts3-load");
        Assert.True(File.Exists(path), $"{path} is missing: build perf/FastS3.Load first");
        return path;
    }
}
