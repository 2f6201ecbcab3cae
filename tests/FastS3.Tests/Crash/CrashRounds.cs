using System.Diagnostics;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using Xunit.Abstractions;

namespace FastS3.Tests.Crash;

/// <summary>
/// The real server killed with SIGKILL while six clients write the same three keys every way there
/// is (see <see cref="CrashWorkload"/>: PUTs inline and file-backed, plain, SSE-C and with client
/// checksums, DELETEs, multipart Completes, CopyObject of every kind, key rotations) and write-once
/// keys beside them, aimed at a moment a Complete or a copy is in flight, then restarted on what the
/// <see cref="ICrashDisk"/> kept of DATA_DIR, round after round. The indexes' memtables are tiny,
/// so the indexes flush and compact many times a round. After each restart:
/// <list type="bullet">
///   <item>every key holds exactly one version some client wrote, whole, under its customer key, with
///   the ETag and the stored checksum (HEAD with checksum mode) that write gives, or nothing; and never
///   a version an acknowledged write (an acknowledged copy: of the source version it read) that started
///   after its own acknowledgement must have replaced. So every acknowledged PUT, Complete and copy of
///   a write-once key reads back exactly, until a delete of it is acknowledged;</item>
///   <item>the bucket lists exactly the keys found;</item>
///   <item>ListMultipartUploads lists no upload whose Complete or Abort was acknowledged, every upload
///   created and never completed or aborted, none whose Complete reached the key; ListParts shows every
///   acknowledged part;</item>
///   <item>the data files are exactly those the live objects and the listed uploads need.</item>
/// </list>
/// Then the uploads left are completed (their parts must still read back whole) or aborted, and
/// their keys and the rest are checked again; that server is stopped gracefully, and the next round
/// starts on what the disk kept of it.
/// </summary>
internal sealed class CrashRounds(ICrashDisk disk, ITestOutputHelper output)
{
    private const int Workers = 6;

    /// <summary>Index memtable size: a flush at nearly every inline PUT, a compaction every few flushes.</summary>
    private const int MemtableSize = 4 * 1024;

    private readonly CrashWorld _world = new();

    /// <summary>Seeds the workers' and the killer's choices (printed with each round; timing varies anyway).</summary>
    private readonly int _seed = Random.Shared.Next(1 << 20);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _keysVerified;

    /// <summary>The rounds an environment variable asks for, else <paramref name="rounds"/>.</summary>
    public static int Rounds(string variable, int rounds)
        => int.TryParse(Environment.GetEnvironmentVariable(variable), out int asked) && asked > 0 ? asked : rounds;

    public async Task RunAsync(int rounds)
    {
        string certsDir = Path.Combine(Directory.CreateTempSubdirectory("fasts3-certs-").FullName, "certs");
        try
        {
            // The state every key starts the round in (null: absent), as verified at the end of the last.
            Dictionary<string, Version?> state = _world.Keys.ToDictionary(k => k, _ => (Version?)null);
            for (int round = 0; round < rounds; round++)
            {
                state = await RunRoundAsync(round, certsDir, state);
            }

            output.WriteLine($"{rounds} rounds in {_clock.Elapsed.TotalSeconds:F0} s ({_clock.Elapsed.TotalSeconds / rounds:F1} s a round): {_keysVerified} key states verified");
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(certsDir)!, recursive: true);
        }
    }

    private async Task<Dictionary<string, Version?>> RunRoundAsync(int number, string certsDir, Dictionary<string, Version?> initial)
    {
        long started = _clock.ElapsedMilliseconds;
        var round = new Round(number, _world, initial);

        // Rounds take turns: the kill aims at a Complete or at a copy, and every other pair of rounds
        // sends those 200s at once and keeps them alive with whitespace, so a kill cuts a 200 short.
        bool atCopies = number % 4 >= 2;
        string[] arguments = [.. disk.ServerArguments(number), .. number % 2 == 1 ? ["--keepalive-after", "0"] : Array.Empty<string>()];
        await using (ServerProcess server = await StartAsync(disk.DataDir, certsDir, arguments))
        {
            using var client = new CrashClient(server, _world.CustomerKeys);
            if (number == 0)
            {
                await client.Sdk.PutBucketAsync(CrashClient.Bucket);
            }

            var workload = new CrashWorkload(_world, client, round);
            using var stop = new CancellationTokenSource();
            Task[] workers = [.. Enumerable.Range(0, Workers).Select(worker => Task.Run(() => workload.RunAsync(worker, _seed + (number * 1000) + worker + 1, stop.Token)))];
            await KillAsync(server, round, atCopies, new Random(_seed + number));
            await stop.CancelAsync();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        }

        string crashed = await disk.CutPowerAsync();
        Assert.True(round.Errors.IsEmpty, $"round {number}: requests failed before the kill:\n{string.Join("\n", round.Errors)}");

        Dictionary<string, Version?> state;
        string dataDir = disk.DataDir;
        await using (ServerProcess server = await StartAsync(dataDir, certsDir, disk.ServerArguments(number)))
        {
            using var client = new CrashClient(server, _world.CustomerKeys);
            var checks = new CrashChecks(_world, client, round);
            state = await checks.VerifyObjectsAsync(round.Keys, "after restart");
            await checks.VerifyListingAsync(state, "after restart");
            List<(string Key, string UploadId, List<Amazon.S3.Model.PartDetail> Parts)> open = await checks.VerifyUploadsAsync(state);

            // Completes the kill cut off: their object on the key, their upload listed again, or both gone (committed, then replaced).
            Upload[] cutOff = [.. round.Uploads.Where(u => u.Completing is not null && !u.Completed)];
            int landed = cutOff.Count(u => Equals(state.GetValueOrDefault(u.Key), u.Completing));
            int reopened = cutOff.Count(u => open.Any(o => o.UploadId == u.Id));
            await BucketContents.AssertDataItemsAsync(client.Sdk, StoredData.OnDisk(dataDir), CrashClient.Bucket, $"round {number}, after restart");

            // Finish what is left, then everything must still add up.
            foreach ((string key, string uploadId, List<Amazon.S3.Model.PartDetail> parts) in open)
            {
                await checks.FinishAsync(key, uploadId, parts);
            }

            const string Finished = "after the leftover uploads were finished";
            foreach ((string key, Version? version) in await checks.VerifyObjectsAsync(open.Select(upload => upload.Key).Distinct(), Finished))
            {
                state[key] = version;
            }

            await checks.VerifyListingAsync(state, Finished);
            Assert.Empty(await BucketContents.ListUploadsAsync(client.Sdk, CrashClient.Bucket));
            await BucketContents.AssertDataItemsAsync(client.Sdk, StoredData.OnDisk(dataDir), CrashClient.Bucket, $"round {number}, {Finished}");
            _keysVerified += checks.KeysVerified;

            // The index files show the flushes (a new WAL and table each) and compactions (tables merged) behind the round.
            string indexes = string.Join("; ", ((string[])["index", "uploads"]).Select(name =>
                $"{name}/ {string.Join(" ", Directory.GetFiles(Path.Combine(dataDir, "buckets", CrashClient.Bucket, name)).Select(Path.GetFileName).Where(file => file!.EndsWith(".wal", StringComparison.Ordinal) || file.EndsWith(".tbl", StringComparison.Ordinal)).Order())}"));
            string recovered = string.Join(" | ", server.Log.Split('\n').Where(line => line.Contains("store:", StringComparison.Ordinal)).Select(line => line.Trim()));
            output.WriteLine(
                $"round {number} (seed {_seed}, {_clock.ElapsedMilliseconds - started} ms): killed with {round.InFlightAtKill} {(atCopies ? "copies" : "Completes")} in flight after {round.Acknowledged.Count} acknowledged operations " +
                $"({string.Join(", ", round.Acknowledged.GroupBy(kind => kind).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}); {crashed}; " +
                $"{cutOff.Length} Complete(s) cut off ({landed} on their key, {reopened} listed again, {cutOff.Length - landed - reopened} gone); {open.Count} upload(s) open after restart; " +
                $"keys: {string.Join(", ", _world.Keys.Select(k => $"{k}={state[k]?.ToString() ?? "nothing"}"))}; " +
                $"write-once keys: {round.Created} created, {state.Count - _world.Keys.Length} read back whole; {indexes}; start-up: {(recovered.Length > 0 ? recovered : "nothing to repair")}");
        }

        output.WriteLine($"round {number}, after the graceful stop: {await disk.CutPowerAsync()}");
        return state;
    }

    private static async Task<ServerProcess> StartAsync(string dataDir, string certsDir, string[] arguments)
    {
        ServerProcess server = await ServerProcess.StartAsync(dataDir: dataDir, certsDir: certsDir, extraArguments: ["--index-memtable-size", $"{MemtableSize}", .. arguments]);
        server.KeepDataDir = true;
        return server;
    }

    /// <summary>
    /// Waits a little, then for a Complete (or a copy) in flight, and kills the server up to 30 ms into
    /// it (one still in flight then; else it tries the next, a bounded number of times).
    /// </summary>
    private async Task KillAsync(ServerProcess server, Round round, bool atCopies, Random random)
    {
        Func<int> inFlight = atCopies ? () => Volatile.Read(ref round.CopiesInFlight) : () => Volatile.Read(ref round.CompletesInFlight);
        await Task.Delay(1500 + random.Next(2000));
        long deadline = _clock.ElapsedMilliseconds + 20_000;
        for (int attempt = 0; attempt < 100 && _clock.ElapsedMilliseconds < deadline; attempt++)
        {
            while (inFlight() == 0 && _clock.ElapsedMilliseconds < deadline)
            {
                await Task.Delay(1);
            }

            int delay = random.Next(30);
            if (delay > 0)
            {
                await Task.Delay(delay);
            }

            if (inFlight() > 0)
            {
                break;
            }
        }

        round.InFlightAtKill = inFlight();
        Volatile.Write(ref round.KilledAt, _clock.ElapsedTicks);
        await server.KillAsync();
    }
}
