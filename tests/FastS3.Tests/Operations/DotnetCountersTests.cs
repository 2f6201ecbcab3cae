using System.Diagnostics;
using System.Text.Json;
using FastS3.Testing;

namespace FastS3.Tests.Operations;

/// <summary>
/// dotnet-counters, attached to the real server process through its diagnostics port, reads the
/// FastS3 Meter: per-API request counts, with the traffic sent while it collects. Both builds: the
/// native AOT one has EventPipe only because the project turns EventSource support back on.
/// </summary>
[Trait("Store", "Disk")]
public sealed class DotnetCountersTests
{
    [DotnetCountersFact]
    public Task DotnetCountersReadsTheMeterOfTheJitServer() => ReadsTheMeterAsync(null);

    [DotnetCountersFact]
    public async Task DotnetCountersReadsTheMeterOfTheNativeBinary() => await ReadsTheMeterAsync(await NativeAotTests.Binary.Value);

    private static async Task ReadsTheMeterAsync(string? executable)
    {
        await using ServerProcess server = await ServerProcess.StartAsync(executable);
        await RawMultipart.CreateBucketAsync(server, "observed");
        // dotnet-counters names its file itself unless it ends in .json.
        string directory = Directory.CreateTempSubdirectory("fasts3-counters-").FullName;
        string output = Path.Combine(directory, "counters.json");
        try
        {
            await CollectWhileServingAsync(server, output);
            using JsonDocument json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            var requests = json.RootElement.GetProperty("Events").EnumerateArray()
                .Where(e => e.GetProperty("provider").GetString() == "FastS3" && e.GetProperty("name").GetString()!.StartsWith("fasts3.s3.requests ", StringComparison.Ordinal))
                .ToLookup(e => e.GetProperty("tags").GetString(), e => e.GetProperty("value").GetDouble());
            Assert.True(requests["api=putobject"].Max() > 0, "PUT rates: " + string.Join(", ", requests["api=putobject"]));
            Assert.True(requests["api=getobject"].Max() > 0, "GET rates: " + string.Join(", ", requests["api=getobject"]));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task CollectWhileServingAsync(ServerProcess server, string output)
    {
        // The counters are reported as rates over each second, so traffic must flow while they are collected.
        var collect = new ProcessStartInfo(DotnetCounters.Path!,
            ["collect", "-p", server.ProcessId.ToString(), "--counters", "FastS3", "--format", "json", "--duration", "00:00:05", "-o", output]);
        Task<(int ExitCode, string Stdout, string Stderr)> collecting = Processes.RunAsync(collect, TimeSpan.FromMinutes(1));
        for (int i = 0; !collecting.IsCompleted; i++)
        {
            await RawMultipart.PutObjectAsync(server, "observed", $"object-{i % 4}", [1, 2, 3]);
            Assert.Equal(200, (await SignedRequests.SendAsync(server, "GET", $"/observed/object-{i % 4}", [])).Status);
            await Task.Delay(100);
        }

        var (exit, stdout, stderr) = await collecting;
        Assert.True(exit == 0, stdout + stderr);
    }
}
