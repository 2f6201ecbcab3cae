using System.CommandLine;
using FastS3.Load.Reporting;
using FastS3.Load.Scenarios;

namespace FastS3.Load.Cli;

/// <summary>
/// <c>run</c> (one target) and <c>compare</c> (two or more, alternating): the same options, the same campaign,
/// then JSON and optionally the Markdown report.
/// </summary>
internal static class LoadCommand
{
    public static Command Create(string name, string description, bool compare)
    {
        var targets = new Option<string[]>("--target")
        {
            Description = "NAME=URL[,ACCESS_KEY,SECRET] (keys default to FASTS3_ROOT_USER/FASTS3_ROOT_PASSWORD), or NAME=static:URL for a plain file server (GET only). Loopback hosts only."
                + (compare ? " Repeat for each target; the first is the baseline of every ratio." : ""),
            Required = true,
        };
        var scenarios = new Option<string>("--scenario") { Description = "Comma-separated: put, get, head, mixed (70% GET / 30% PUT), list.", DefaultValueFactory = _ => "get" };
        var sizes = new Option<string>("--size") { Description = "Comma-separated object sizes, 1KiB..1GiB (4KiB, 1MiB, 256MiB, 1GiB).", DefaultValueFactory = _ => "4KiB" };
        var objects = new Option<int?>("--objects") { Description = "Distinct keys per size, pre-populated for get/head/mixed/list and cycled by put (default: up to 64, about 1 GiB)." };
        var connections = new Option<int>("--connections") { Description = "Concurrent connections, one closed-loop worker each.", DefaultValueFactory = _ => 32 };
        var duration = new Option<string?>("--duration") { Description = "Length of each measured run (e.g. 10s, 2m; at most 10m)." };
        var requests = new Option<long?>("--requests") { Description = "Requests per measured run (the run also stops at --duration, or at 10 minutes)." };
        var warmup = new Option<string>("--warmup") { Description = "Unmeasured run before each measured one (connections, JIT, caches).", DefaultValueFactory = _ => "2s" };
        var sseC = new Option<bool>("--sse-c") { Description = "SSE-C on every object request, with a random 32-byte key per invocation (HTTPS targets only)." };
        var bucket = new Option<string>("--bucket") { Description = "Bucket to use.", DefaultValueFactory = _ => "fasts3-load" };
        var createBucket = new Option<bool>("--create-bucket") { Description = "Create the bucket first (an existing bucket of ours is fine)." };
        var insecure = new Option<bool>("--insecure") { Description = "Accept any TLS certificate (self-signed test servers)." };
        var auth = new Option<AuthMode>("--auth") { Description = "Presigned: URLs signed once per object before the run. Header: an Authorization header signed per request.", DefaultValueFactory = _ => AuthMode.Presigned };
        var region = new Option<string>("--region") { Description = "SigV4 signing region.", DefaultValueFactory = _ => "us-east-1" };
        var prefix = new Option<string>("--prefix") { Description = "Key prefix for every object this tool writes.", DefaultValueFactory = _ => "load/" };
        var rounds = new Option<int>("--rounds") { Description = "Rounds; targets alternate within each and the order flips between rounds.", DefaultValueFactory = _ => compare ? 3 : 1 };
        var json = new Option<string?>("--json") { Description = "Write every run's numbers to this JSON file." };
        var output = new Option<string?>("--out") { Description = "Write report.md and PNG charts into this directory." };

        var command = new Command(name, description)
        {
            targets, scenarios, sizes, objects, connections, duration, requests, warmup, sseC, bucket, createBucket, insecure, auth, region, prefix, rounds, json, output,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            List<Target> parsedTargets;
            LoadSettings settings;
            try
            {
                parsedTargets = result.GetValue(targets)!.Select(Target.Parse).ToList();
                settings = new LoadSettings(
                    Split(result.GetValue(scenarios)!).Select(ScenarioCase.ParseKind).Distinct().ToList(),
                    Split(result.GetValue(sizes)!).Select(ByteSize.Parse).Distinct().ToList(),
                    result.GetValue(objects),
                    new RunLimits(result.GetValue(connections), result.GetValue(duration) is { } d ? DurationText.Parse(d) : null, result.GetValue(requests)),
                    DurationText.Parse(result.GetValue(warmup)!),
                    result.GetValue(sseC), result.GetValue(bucket)!, result.GetValue(createBucket), result.GetValue(insecure), result.GetValue(auth),
                    result.GetValue(region)!, result.GetValue(prefix)!, result.GetValue(rounds));
                Validate(parsedTargets, settings, compare);
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }

            DateTimeOffset started = DateTimeOffset.UtcNow;
            List<ScenarioResult> results;
            try
            {
                results = await new Campaign(settings, parsedTargets).RunAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is InvalidOperationException or HttpRequestException)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 1;
            }

            var file = ResultsFile.Create(parsedTargets, results, started);
            Console.WriteLine();
            Console.WriteLine(MarkdownReport.Overview(results, parsedTargets.Select(t => t.Name).ToList()));
            if (result.GetValue(json) is { } jsonPath)
            {
                file.Write(jsonPath);
                Console.WriteLine($"wrote {jsonPath}");
            }

            if (result.GetValue(output) is { } directory)
            {
                Console.WriteLine($"wrote {MarkdownReport.Write(directory, [file], [result.GetValue(json) ?? "(this run)"])}");
            }

            return results.Any(r => r.Errors > 0) ? 3 : 0;
        });
        return command;
    }

    private static void Validate(List<Target> targets, LoadSettings s, bool compare)
    {
        Require(compare ? targets.Count >= 2 : targets.Count == 1, compare ? "compare needs at least two --target" : "run takes one --target (use compare for more)");
        Require(targets.Select(t => t.Name).Distinct().Count() == targets.Count, "target names must differ");
        Require(s.Limits.Duration is not null || s.Limits.Requests is not null, "give --duration and/or --requests");
        Require(s.Limits.Duration is null || (s.Limits.Duration > TimeSpan.Zero && s.Limits.Duration <= RunLimits.HardCap), "--duration must be within (0, 10m]");
        Require(s.Limits.Requests is null or > 0, "--requests must be positive");
        Require(s.Warmup <= TimeSpan.FromMinutes(1), "--warmup is at most 1m");
        Require(s.Limits.Connections is >= 1 and <= 1024, "--connections must be within 1..1024");
        Require(s.Objects is null or (>= 1 and <= 100_000), "--objects must be within 1..100000");
        Require(s.Rounds is >= 1 and <= 50, "--rounds must be within 1..50");
        Require(s.Scenarios.Count > 0 && s.Sizes.Count > 0, "give at least one --scenario and one --size");
        Require(s.Sizes.All(size => (long)s.ObjectsFor(size) * size <= LoadSettings.MaxPopulatedBytes), "--objects x --size exceeds 16 GiB of pre-populated data");
        Require(!s.SseC || targets.All(t => t.IsHttps || t.IsStatic), "--sse-c needs https:// targets (S3 refuses SSE-C over plain HTTP)");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new FormatException(message);
        }
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
