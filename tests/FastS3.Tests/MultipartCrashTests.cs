using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FastS3.Http;
using FastS3.Storage;
using FastS3.Storage.Index;
using FastS3.Testing;
using Xunit.Abstractions;

namespace FastS3.Tests;

/// <summary>
/// The real server killed with SIGKILL while multipart uploads complete and single PUTs, deletes
/// and other Completes hit the same few keys (plain and SSE-C), then restarted on the same DATA_DIR,
/// round after round. After each restart:
/// <list type="bullet">
///   <item>every key holds one whole version some client wrote (SHA-256 of the full body against
///   every version attempted on the key), or nothing, and never a version an acknowledged write
///   that started after its own acknowledgement must have replaced;</item>
///   <item>ListMultipartUploads lists no upload whose Complete or Abort was acknowledged, every
///   upload that was created and never completed or aborted, and no upload whose Complete reached
///   the key; ListParts shows every acknowledged part;</item>
///   <item>the data files under DATA_DIR/buckets/*/data are exactly those the live objects (1 each,
///   or part table + N parts for an ETag ending "-N") and the listed uploads' parts need.</item>
/// </list>
/// Then the uploads left are completed (their parts must still read back whole) or aborted, and the
/// files are counted again. The default run is <see cref="DefaultRounds"/> rounds (well under two
/// minutes on two cores); FASTS3_CRASH_ROUNDS=N runs N, and the <see cref="Soak"/> test (skipped
/// unless FASTS3_SOAK=1) runs <see cref="SoakRounds"/>.
/// </summary>
public sealed class MultipartCrashTests(ITestOutputHelper output)
{
    public const int DefaultRounds = 5;
    public const int SoakRounds = 60;

    private const string BucketName = "crash";
    private const int Workers = 6;
    private const int MaxOperationsPerWorker = 2_000;
    private const int PartSize = 5 * 1024 * 1024;
    private const int BlockSize = 4096;

    /// <summary>Few keys, so Completes, PUTs and deletes keep landing on each other.</summary>
    private static readonly string[] Keys = ["k0", "dir/k1", "k2"];

    private readonly byte[] _customerKey = RandomNumberGenerator.GetBytes(32);

    /// <summary>Seeds the workers' and the killer's choices (printed with each round; timing varies anyway).</summary>
    private readonly int _seed = Random.Shared.Next(1 << 20);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _seeds;

    /// <summary>Every version ever attempted, per key, by the SHA-256 of its content.</summary>
    private readonly Dictionary<string, ConcurrentDictionary<string, Version>> _versions = Keys.ToDictionary(k => k, _ => new ConcurrentDictionary<string, Version>());

    /// <summary>Every upload whose id a client learnt, across rounds.</summary>
    private readonly ConcurrentDictionary<string, Upload> _uploads = new();

    [Fact]
    public Task SigkillDuringConcurrentCompletesAndOverwrites()
        => RunAsync(int.TryParse(Environment.GetEnvironmentVariable("FASTS3_CRASH_ROUNDS"), out int rounds) && rounds > 0 ? rounds : DefaultRounds);

    /// <summary>The same, many more rounds: FASTS3_SOAK=1 dotnet test --filter "FullyQualifiedName~MultipartCrashTests.Soak".</summary>
    [SoakFact]
    [Trait("Category", "Soak")]
    public Task Soak() => RunAsync(SoakRounds);

    /// <summary>
    /// The narrowest window of the rounds above, laid out directly: a Complete committed its object,
    /// a PUT replaced that object and deleted its parts, and the process died before the Complete
    /// removed the upload. Start-up must finish the upload off rather than list it with its part
    /// files gone, and leave only the new object's file.
    /// </summary>
    [Fact]
    public async Task StartupFinishesACompleteWhoseObjectWasReplacedBeforeTheUploadWasRemoved()
    {
        string root = Directory.CreateTempSubdirectory("fasts3-crash-").FullName;
        try
        {
            byte[] key = "k"u8.ToArray();
            byte[] uploadId = new byte[MultipartUploads.UploadIdSize];
            MultipartUploads.NewUploadId(uploadId);
            var replacement = Guid.NewGuid();
            await using (var store = Store.Open(root, new StoreOptions(), new SilentLog()))
            {
                Assert.True(store.TryCreateBucket("b"));
                Bucket bucket = store.FindBucket("b"u8)!;
                await bucket.Uploads.Index.PutAsync(MultipartUploads.UploadKey(key, uploadId), Record(0, Guid.Empty, 0));

                // Parts 1 and 2 go into the object; part 3 was uploaded but left out of the Complete.
                var parts = new List<PartEntry>();
                for (int number = 1; number <= 3; number++)
                {
                    var dataId = Guid.NewGuid();
                    await File.WriteAllBytesAsync(bucket.DataPath(dataId), new byte[number]);
                    await bucket.Uploads.Index.PutAsync(MultipartUploads.PartKey(uploadId, number), Record(0, dataId, number));
                    if (number < 3)
                    {
                        parts.Add(new PartEntry(number, dataId, number, number));
                    }
                }

                var tableId = Guid.NewGuid();
                await File.WriteAllBytesAsync(bucket.DataPath(tableId), PartTable.Build(uploadId, [.. parts], withMac: false, null));
                await bucket.Index.PutAsync(key, Record((byte)RecordFlags.Multipart, tableId, 3));

                await File.WriteAllBytesAsync(bucket.DataPath(replacement), [42]);
                IndexWriteResult replaced = await bucket.Index.PutAsync(key, Record(0, replacement, 1));
                await bucket.DeleteDataOfAsync(replaced.Previous);
            }

            await using (var store = Store.Open(root, new StoreOptions(), new SilentLog()))
            {
                Bucket bucket = store.FindBucket("b"u8)!;
                using (IndexIterator uploads = bucket.Uploads.Index.Seek([]))
                {
                    Assert.False(uploads.MoveNext(), "start-up kept the upload (or its part records) though its parts are gone");
                }

                Assert.Equal([bucket.DataPath(replacement)], Directory.EnumerateFiles(bucket.DataDirectory, "*", SearchOption.AllDirectories));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }

        static byte[] Record(byte flags, Guid dataId, long size)
        {
            var record = new ObjectRecord.Builder(flags, dataId, size, size, DateTimeOffset.UtcNow);
            try
            {
                record.Add(RecordField.ETag, "0123456789abcdef0123456789abcdef"u8);
                return record.Written.ToArray();
            }
            finally
            {
                record.Dispose();
            }
        }
    }

    private async Task RunAsync(int rounds)
    {
        string dataDir = Directory.CreateTempSubdirectory("fasts3-crash-").FullName;
        string certsDir = Path.Combine(Directory.CreateTempSubdirectory("fasts3-certs-").FullName, "certs");
        try
        {
            // The state every key starts the round in (null: absent), as verified at the end of the last.
            Dictionary<string, Version?> state = Keys.ToDictionary(k => k, _ => (Version?)null);
            for (int round = 0; round < rounds; round++)
            {
                state = await RunRoundAsync(round, dataDir, certsDir, state);
            }
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
            Directory.Delete(Path.GetDirectoryName(certsDir)!, recursive: true);
        }
    }

    private async Task<Dictionary<string, Version?>> RunRoundAsync(int number, string dataDir, string certsDir, Dictionary<string, Version?> initial)
    {
        var round = new Round(number, _clock.ElapsedTicks);
        foreach ((string key, Version? version) in initial)
        {
            round.Ops.Enqueue(new Op(key, version, round.Started) { End = round.Started });
        }

        // Every other round sends Complete's 200 at once and keeps it alive with whitespace: a kill then cuts a 200 short.
        string[] arguments = number % 2 == 1 ? ["--keepalive-after", "0"] : [];
        await using (ServerProcess server = await StartAsync(dataDir, certsDir, arguments))
        {
            using AmazonS3Client client = CreateClient(server);
            if (number == 0)
            {
                await client.PutBucketAsync(BucketName);
            }

            using var stop = new CancellationTokenSource();
            Task[] workers = [.. Enumerable.Range(0, Workers).Select(worker => Task.Run(() => WorkAsync(client, round, worker, stop.Token)))];
            await KillDuringCompleteAsync(server, round, new Random(_seed + number));
            await stop.CancelAsync();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        }

        Assert.True(round.Errors.IsEmpty, $"round {number}: requests failed before the kill:\n{string.Join("\n", round.Errors)}");

        Dictionary<string, Version?> state;
        await using (ServerProcess server = await StartAsync(dataDir, certsDir, []))
        {
            using AmazonS3Client client = CreateClient(server);
            state = await VerifyObjectsAsync(client, round, "after restart");
            List<(string Key, string UploadId, List<PartDetail> Parts)> open = await VerifyUploadsAsync(client, round, state);

            // Completes the kill cut off: their object on the key, their upload listed again, or both gone (committed, then replaced).
            Upload[] cutOff = [.. round.Uploads.Where(u => u.CompleteStarted && !u.Completed)];
            int landed = cutOff.Count(u => ReferenceEquals(state[u.Key], u.Planned));
            int reopened = cutOff.Count(u => open.Any(o => o.UploadId == u.Id));
            await VerifyFilesAsync(client, dataDir, open, "after restart");

            // Finish what is left, then everything must still add up.
            foreach ((string key, string uploadId, List<PartDetail> parts) in open)
            {
                await FinishAsync(client, round, key, uploadId, parts);
            }

            state = await VerifyObjectsAsync(client, round, "after the leftover uploads were finished");
            Assert.Empty(await ListUploadsAsync(client));
            await VerifyFilesAsync(client, dataDir, [], "after the leftover uploads were finished");

            string recovered = string.Join(" | ", server.Log.Split('\n').Where(line => line.Contains("store:", StringComparison.Ordinal)).Select(line => line.Trim()));
            output.WriteLine(
                $"round {number} (seed {_seed}): killed with {round.CompletesInFlightAtKill} Complete(s) in flight after {round.Acknowledged.Count} acknowledged operations " +
                $"({string.Join(", ", round.Acknowledged.GroupBy(kind => kind).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))}); " +
                $"{cutOff.Length} Complete(s) cut off ({landed} on their key, {reopened} listed again, {cutOff.Length - landed - reopened} gone); {open.Count} upload(s) open after restart; keys: {string.Join(", ", Keys.Select(k => $"{k}={Describe(state[k])}"))}; start-up: {(recovered.Length > 0 ? recovered : "nothing to repair")}");
        }

        return state;
    }

    private static async Task<ServerProcess> StartAsync(string dataDir, string certsDir, string[] arguments)
    {
        ServerProcess server = await ServerProcess.StartAsync(dataDir: dataDir, certsDir: certsDir, extraArguments: arguments);
        server.KeepDataDir = true;
        return server;
    }

    /// <summary>
    /// Waits a little, then for a Complete in flight, and kills the server up to 30 ms into it (a
    /// Complete still in flight then; else it tries the next one, a bounded number of times).
    /// </summary>
    private async Task KillDuringCompleteAsync(ServerProcess server, Round round, Random random)
    {
        await Task.Delay(1500 + random.Next(2000));
        long deadline = _clock.ElapsedMilliseconds + 20_000;
        for (int attempt = 0; attempt < 100 && _clock.ElapsedMilliseconds < deadline; attempt++)
        {
            while (Volatile.Read(ref round.CompletesInFlight) == 0 && _clock.ElapsedMilliseconds < deadline)
            {
                await Task.Delay(1);
            }

            int delay = random.Next(30);
            if (delay > 0)
            {
                await Task.Delay(delay);
            }

            if (Volatile.Read(ref round.CompletesInFlight) > 0)
            {
                break;
            }
        }

        round.CompletesInFlightAtKill = Volatile.Read(ref round.CompletesInFlight);
        Volatile.Write(ref round.KilledAt, _clock.ElapsedTicks);
        await server.KillAsync();
    }

    // ---- The clients' side ------------------------------------------------------------------

    private async Task WorkAsync(AmazonS3Client client, Round round, int worker, CancellationToken stop)
    {
        var random = new Random(_seed + (round.Number * 1000) + worker + 1);
        for (int i = 0; i < MaxOperationsPerWorker && !stop.IsCancellationRequested; i++)
        {
            string key = Keys[random.Next(Keys.Length)];
            double roll = random.NextDouble();
            try
            {
                if (roll < 0.45)
                {
                    await MultipartAsync(client, round, key, random, stop);
                }
                else if (roll < 0.8)
                {
                    await PutAsync(client, round, key, random, stop);
                }
                else
                {
                    await DeleteAsync(client, round, key, stop);
                }
            }
            catch (Exception) when (Volatile.Read(ref round.KilledAt) != 0)
            {
                // Cut off by the kill (or by the stop that follows it): unacknowledged, as intended.
                return;
            }
            catch (Exception ex)
            {
                round.Errors.Enqueue($"worker {worker}, {key}: {ex.GetType().Name}: {ex.Message}");
                return;
            }
        }
    }

    private async Task PutAsync(AmazonS3Client client, Round round, string key, Random random, CancellationToken stop)
    {
        bool sseC = random.NextDouble() < 0.3;
        int size = random.NextDouble() < 0.1 ? PartSize + random.Next(BlockSize) : random.Next(16, 1024 * 1024);
        (Version version, byte[][] pieces) = NewVersion(key, [new Piece(0, size)], sseC);
        var request = new PutObjectRequest { BucketName = BucketName, Key = key, InputStream = new MemoryStream(pieces[0]) };
        if (sseC)
        {
            request.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
            request.ServerSideEncryptionCustomerProvidedKey = Convert.ToBase64String(_customerKey);
        }

        Op op = Begin(round, key, version);
        PutObjectResponse response = await client.PutObjectAsync(request, stop);
        Acknowledge(round, op, response.HttpStatusCode, sseC ? "SSE-C PUT" : "PUT");
    }

    private async Task DeleteAsync(AmazonS3Client client, Round round, string key, CancellationToken stop)
    {
        Op op = Begin(round, key, null);
        DeleteObjectResponse response = await client.DeleteObjectAsync(BucketName, key, stop);
        Acknowledge(round, op, response.HttpStatusCode, "DELETE");
    }

    /// <summary>
    /// Create, the parts (at once; sometimes one more the Complete leaves out, sometimes part 1 sent
    /// twice), then mostly Complete, sometimes Abort, sometimes nothing (the upload stays open).
    /// </summary>
    private async Task MultipartAsync(AmazonS3Client client, Round round, string key, Random random, CancellationToken stop)
    {
        bool sseC = random.NextDouble() < 0.35;
        int full = random.Next(1, 3);
        var planned = new List<Piece>();
        for (int part = 1; part <= full; part++)
        {
            planned.Add(new Piece(part, PartSize));
        }

        planned.Add(new Piece(full + 1, random.Next(16, 512 * 1024)));
        (Version version, byte[][] bytes) = NewVersion(key, [.. planned], sseC);
        Piece? extra = random.NextDouble() < 0.25 ? new Piece(full + 2, random.Next(16, 64 * 1024)) : null;
        bool resend = random.NextDouble() < 0.25;
        double ending = random.NextDouble();

        var initiate = new InitiateMultipartUploadRequest { BucketName = BucketName, Key = key };
        if (sseC)
        {
            initiate.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
            initiate.ServerSideEncryptionCustomerProvidedKey = Convert.ToBase64String(_customerKey);
        }

        int keyIndex = Array.IndexOf(Keys, key);
        Interlocked.Increment(ref round.InitiatesInFlight[keyIndex]);
        InitiateMultipartUploadResponse initiated = await client.InitiateMultipartUploadAsync(initiate, stop);
        Interlocked.Decrement(ref round.InitiatesInFlight[keyIndex]);
        Assert.Equal(HttpStatusCode.OK, initiated.HttpStatusCode);
        var upload = new Upload(key, initiated.UploadId, version);
        _uploads[upload.Id] = upload;
        round.Uploads.Enqueue(upload);
        round.Acknowledged.Enqueue("Create");

        var sends = planned.Select((piece, i) => SendPartAsync(client, upload, piece, bytes[i], stop)).ToList();
        if (extra is { } more)
        {
            sends.Add(SendPartAsync(client, upload, more, Content(version.Seed, more), stop));
        }

        await Task.WhenAll(sends);
        if (resend)
        {
            await SendPartAsync(client, upload, planned[0], bytes[0], stop);
        }

        if (ending < 0.8)
        {
            var complete = new CompleteMultipartUploadRequest { BucketName = BucketName, Key = key, UploadId = upload.Id };
            complete.AddPartETags(planned.Select(piece => new PartETag(piece.Number, upload.ETags[piece.Number])));
            if (sseC)
            {
                complete.SSECustomerAlgorithm = "AES256";
                complete.SSECustomerKey = Convert.ToBase64String(_customerKey);
                complete.SSECustomerKeyMD5 = Convert.ToBase64String(MD5.HashData(_customerKey));
            }

            upload.CompleteStarted = true;
            Op op = Begin(round, key, version);
            Interlocked.Increment(ref round.CompletesInFlight);
            Task chaser = Task.CompletedTask;
            CompleteMultipartUploadResponse response;
            try
            {
                // Half the time a small PUT or a DELETE chases the Complete onto the key a few milliseconds later.
                Task<CompleteMultipartUploadResponse> completing = client.CompleteMultipartUploadAsync(complete, stop);
                int chase = random.Next(16);
                if (chase < 8)
                {
                    chaser = ChaseAsync(client, round, key, chase, put: random.NextDouble() < 0.5, stop);
                }

                response = await completing;
            }
            finally
            {
                Interlocked.Decrement(ref round.CompletesInFlight);
            }

            Acknowledge(round, op, response.HttpStatusCode, sseC ? "SSE-C Complete" : "Complete");
            Assert.EndsWith($"-{planned.Count}\"", response.ETag);
            upload.Completed = true;
            await chaser;
        }
        else if (ending < 0.9)
        {
            upload.AbortStarted = true;
            AbortMultipartUploadResponse response = await client.AbortMultipartUploadAsync(BucketName, key, upload.Id, stop);
            Assert.Equal(HttpStatusCode.NoContent, response.HttpStatusCode);
            upload.Aborted = true;
            round.Acknowledged.Enqueue("Abort");
        }
    }

    /// <summary>After <paramref name="delay"/> ms, a small PUT to <paramref name="key"/>, or a DELETE of it.</summary>
    private async Task ChaseAsync(AmazonS3Client client, Round round, string key, int delay, bool put, CancellationToken stop)
    {
        await Task.Delay(delay, stop);
        if (!put)
        {
            await DeleteAsync(client, round, key, stop);
            return;
        }

        (Version version, byte[][] bytes) = NewVersion(key, [new Piece(0, 16 + delay)], sseC: false);
        Op op = Begin(round, key, version);
        PutObjectResponse response = await client.PutObjectAsync(new PutObjectRequest { BucketName = BucketName, Key = key, InputStream = new MemoryStream(bytes[0]) }, stop);
        Acknowledge(round, op, response.HttpStatusCode, "chasing PUT");
    }

    private async Task SendPartAsync(AmazonS3Client client, Upload upload, Piece piece, byte[] bytes, CancellationToken stop)
    {
        var request = new UploadPartRequest
        {
            BucketName = BucketName,
            Key = upload.Key,
            UploadId = upload.Id,
            PartNumber = piece.Number,
            InputStream = new MemoryStream(bytes),
        };
        if (upload.Planned.SseC)
        {
            request.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
            request.ServerSideEncryptionCustomerProvidedKey = Convert.ToBase64String(_customerKey);
        }

        upload.Attempted[piece.Number] = piece.Size;
        UploadPartResponse response = await client.UploadPartAsync(request, stop);
        Assert.Equal(HttpStatusCode.OK, response.HttpStatusCode);
        upload.ETags[piece.Number] = response.ETag;
        upload.Acknowledged[piece.Number] = piece.Size;
    }

    private Op Begin(Round round, string key, Version? writes)
    {
        var op = new Op(key, writes, _clock.ElapsedTicks);
        round.Ops.Enqueue(op);
        return op;
    }

    private void Acknowledge(Round round, Op op, HttpStatusCode status, string kind)
    {
        Assert.True(status is HttpStatusCode.OK or HttpStatusCode.NoContent, $"{kind} {op.Key}: {status}");
        op.End = _clock.ElapsedTicks;
        round.Acknowledged.Enqueue(kind);
    }

    // ---- Checks after the restart -----------------------------------------------------------

    /// <summary>
    /// Reads every key whole and names the version it holds. That version must have been written by
    /// some operation (or be the round's starting state) that no acknowledged operation started after
    /// its own acknowledgement (that one would have had to replace it).
    /// </summary>
    private async Task<Dictionary<string, Version?>> VerifyObjectsAsync(AmazonS3Client client, Round round, string when)
    {
        var state = new Dictionary<string, Version?>();
        foreach (string key in Keys)
        {
            (byte[]? digest, long size, string seen) = await ReadAsync(client, key);
            Version? version = null;
            if (digest is not null)
            {
                Assert.True(
                    _versions[key].TryGetValue(Convert.ToHexString(digest), out version),
                    $"round {round.Number}, {when}: {key} holds {size} bytes that are no version any client wrote (torn?): {seen}");
            }

            List<Op> ops = [.. round.Ops.Where(op => op.Key == key)];
            List<Op> producers = [.. ops.Where(op => ReferenceEquals(op.Writes, version))];
            Assert.True(producers.Count > 0, $"round {round.Number}, {when}: {key} holds {Describe(version)}, which nothing wrote this round");
            bool allowed = producers.Any(producer => !ops.Any(later => later != producer && later.IsAcknowledged && later.Start > producer.End));
            Assert.True(allowed, $"round {round.Number}, {when}: {key} holds {Describe(version)}, but an acknowledged write that started after it was acknowledged is lost:\n{History(ops)}");
            state[key] = version;
        }

        return state;
    }

    /// <summary>
    /// ListMultipartUploads against what the clients did, and ListParts of each upload listed;
    /// returns the listed uploads with their parts.
    /// </summary>
    private async Task<List<(string Key, string UploadId, List<PartDetail> Parts)>> VerifyUploadsAsync(AmazonS3Client client, Round round, Dictionary<string, Version?> state)
    {
        List<(string Key, string UploadId)> listed = await ListUploadsAsync(client);
        var open = new List<(string, string, List<PartDetail>)>();
        foreach ((string key, string uploadId) in listed)
        {
            List<PartDetail> parts = await ListPartsAsync(client, key, uploadId);
            open.Add((key, uploadId, parts));
            if (!_uploads.TryGetValue(uploadId, out Upload? upload))
            {
                // A Create cut off by the kill: its id never reached the client, so it has no parts.
                Assert.True(round.InitiatesInFlight[Array.IndexOf(Keys, key)] > 0, $"round {round.Number}: unknown upload {uploadId} of {key} listed");
                Assert.Empty(parts);
                continue;
            }

            Assert.Equal(upload.Key, key);
            Assert.False(upload.Completed, $"round {round.Number}: upload {uploadId} of {key} was completed (acknowledged) but is still listed");
            Assert.False(upload.Aborted, $"round {round.Number}: upload {uploadId} of {key} was aborted (acknowledged) but is still listed");
            if (upload.CompleteStarted)
            {
                Assert.False(
                    ReferenceEquals(state[key], upload.Planned),
                    $"round {round.Number}: {key} holds the object of upload {uploadId}, whose Complete was cut off, yet start-up left the upload listed");
            }

            foreach ((int number, int size) in upload.Acknowledged)
            {
                Assert.True(parts.Any(part => part.PartNumber == number && part.Size == size), $"round {round.Number}: acknowledged part {number} of upload {uploadId} is not listed");
            }

            foreach (PartDetail part in parts)
            {
                Assert.True(
                    part.PartNumber is { } number && upload.Attempted.TryGetValue(number, out int size) && part.Size == size,
                    $"round {round.Number}: upload {uploadId} lists part {part.PartNumber} ({part.Size} bytes) that no client sent");
            }
        }

        foreach (Upload upload in _uploads.Values.Where(u => !u.Finished && !u.CompleteStarted && !u.AbortStarted))
        {
            Assert.True(listed.Contains((upload.Key, upload.Id)), $"round {round.Number}: upload {upload.Id} of {upload.Key}, never completed nor aborted, is not listed");
        }

        return open;
    }

    /// <summary>
    /// Counts the data files from outside: each object needs 1 (single PUT; none when small enough to
    /// live inline in its record) or its part table and its N parts (ETag "…-N"); each listed upload
    /// one per part. Nothing else may be left.
    /// </summary>
    private static async Task VerifyFilesAsync(AmazonS3Client client, string dataDir, List<(string Key, string UploadId, List<PartDetail> Parts)> open, string when)
    {
        var expected = new List<string>();
        var listing = new ListObjectsV2Request { BucketName = BucketName };
        for (int page = 0; page < 100; page++)
        {
            ListObjectsV2Response response = await client.ListObjectsV2Async(listing);
            foreach (S3Object item in response.S3Objects ?? [])
            {
                string etag = item.ETag.Trim('"');
                int dash = etag.IndexOf('-', StringComparison.Ordinal);
                int needed = dash >= 0 ? 1 + int.Parse(etag[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture)
                    : await IsInlineAsync(client, item) ? 0 : 1;
                expected.Add($"{item.Key}: {needed}");
            }

            if (response.IsTruncated != true)
            {
                break;
            }

            listing.ContinuationToken = response.NextContinuationToken;
        }

        foreach ((string key, string uploadId, List<PartDetail> parts) in open)
        {
            expected.Add($"upload {uploadId} of {key}: {parts.Count}");
        }

        int wanted = expected.Sum(line => int.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        string[] files = [.. Directory.GetDirectories(Path.Combine(dataDir, "buckets")).SelectMany(bucket => Directory.EnumerateFiles(Path.Combine(bucket, "data"), "*", SearchOption.AllDirectories))];
        Assert.True(files.Length == wanted, $"{when}: {files.Length} data files on disk, the objects and uploads need {wanted} ({string.Join("; ", expected)})");
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(dataDir, ".fasts3", "tmp")));
    }

    /// <summary>
    /// Whether a single-stream object's stored bytes fit in its record: its plaintext size, or for
    /// SSE-C (a HEAD without the key is refused) the size of its encrypted stream.
    /// </summary>
    private static async Task<bool> IsInlineAsync(AmazonS3Client client, S3Object item)
    {
        long size = item.Size ?? 0;
        int limit = new FastS3.Storage.StoreOptions().InlineLimit;
        if (size > limit)
        {
            return false;
        }

        try
        {
            await client.GetObjectMetadataAsync(BucketName, item.Key);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            return FastS3.Crypto.SegmentFormat.StoredSize(size) <= limit;
        }
    }

    /// <summary>
    /// Completes a listed upload from the parts the plan has and ListParts shows (the extra part
    /// left out) and reads the object back whole, or aborts it when it has none of them.
    /// </summary>
    private async Task FinishAsync(AmazonS3Client client, Round round, string key, string uploadId, List<PartDetail> parts)
    {
        _uploads.TryGetValue(uploadId, out Upload? upload);
        List<PartDetail> used = upload is null ? [] : [.. parts.Where(part => upload.Planned.Pieces.Any(piece => piece.Number == part.PartNumber)).OrderBy(part => part.PartNumber)];
        if (used.Count == 0)
        {
            await client.AbortMultipartUploadAsync(BucketName, key, uploadId);
            if (upload is not null)
            {
                upload.Finished = true;
            }

            return;
        }

        Piece[] pieces = [.. used.Select(part => upload!.Planned.Pieces.Single(piece => piece.Number == part.PartNumber))];
        (Version version, _) = NewVersion(key, pieces, upload!.Planned.SseC, upload.Planned.Seed);
        var complete = new CompleteMultipartUploadRequest { BucketName = BucketName, Key = key, UploadId = uploadId };
        complete.AddPartETags(used.Select(part => new PartETag(part.PartNumber!.Value, part.ETag)));
        if (version.SseC)
        {
            complete.SSECustomerAlgorithm = "AES256";
            complete.SSECustomerKey = Convert.ToBase64String(_customerKey);
            complete.SSECustomerKeyMD5 = Convert.ToBase64String(MD5.HashData(_customerKey));
        }

        Op op = Begin(round, key, version);
        CompleteMultipartUploadResponse response = await client.CompleteMultipartUploadAsync(complete);
        Acknowledge(round, op, response.HttpStatusCode, "leftover Complete");
        upload.Finished = true;
    }

    private async Task<(byte[]? Digest, long Size, string Seen)> ReadAsync(AmazonS3Client client, string key)
    {
        try
        {
            return await ReadAsync(client, key, sseC: false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return (null, 0, "absent");
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.BadRequest)
        {
            // An SSE-C object: read it with the key.
            return await ReadAsync(client, key, sseC: true);
        }
    }

    private async Task<(byte[]? Digest, long Size, string Seen)> ReadAsync(AmazonS3Client client, string key, bool sseC)
    {
        var request = new GetObjectRequest { BucketName = BucketName, Key = key };
        if (sseC)
        {
            request.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
            request.ServerSideEncryptionCustomerProvidedKey = Convert.ToBase64String(_customerKey);
        }

        using GetObjectResponse response = await client.GetObjectAsync(request);
        using var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body);
        byte[] bytes = body.ToArray();
        return (SHA256.HashData(bytes), bytes.Length, DescribeBlocks(bytes));
    }

    private static async Task<List<(string Key, string UploadId)>> ListUploadsAsync(AmazonS3Client client)
    {
        var uploads = new List<(string, string)>();
        var request = new ListMultipartUploadsRequest { BucketName = BucketName };
        for (int page = 0; page < 100; page++)
        {
            ListMultipartUploadsResponse response = await client.ListMultipartUploadsAsync(request);
            uploads.AddRange((response.MultipartUploads ?? []).Select(upload => (upload.Key, upload.UploadId)));
            if (response.IsTruncated != true)
            {
                break;
            }

            request.KeyMarker = response.NextKeyMarker;
            request.UploadIdMarker = response.NextUploadIdMarker;
        }

        return uploads;
    }

    private static async Task<List<PartDetail>> ListPartsAsync(AmazonS3Client client, string key, string uploadId)
    {
        ListPartsResponse response = await client.ListPartsAsync(new ListPartsRequest { BucketName = BucketName, Key = key, UploadId = uploadId });
        Assert.NotEqual(true, response.IsTruncated);
        return response.Parts ?? [];
    }

    // ---- Versions and their bytes -----------------------------------------------------------

    /// <summary>
    /// A new version of <paramref name="key"/> made of <paramref name="pieces"/> (parts, or one piece
    /// numbered 0 for a single PUT) of a fresh seed, registered by its digest; returns the piece bytes.
    /// </summary>
    private (Version Version, byte[][] Bytes) NewVersion(string key, Piece[] pieces, bool sseC, long? seed = null)
    {
        long chosen = seed ?? Interlocked.Increment(ref _seeds);
        byte[][] bytes = [.. pieces.Select(piece => Content(chosen, piece))];
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (byte[] piece in bytes)
        {
            hash.AppendData(piece);
        }

        var version = new Version(key, chosen, pieces, sseC, Convert.ToHexString(hash.GetHashAndReset()));
        version = _versions[key].GetOrAdd(version.Digest, version);
        return (version, bytes);
    }

    /// <summary>
    /// A piece's bytes, a function of the seed and the piece number: pseudo-random, and every 4 KiB
    /// block starts with the seed and number, so a torn body shows where its bytes came from.
    /// </summary>
    private static byte[] Content(long seed, Piece piece)
    {
        byte[] bytes = new byte[piece.Size];
        ulong state = ((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)(piece.Number + 1) * 0xBF58476D1CE4E5B9UL) | 1;
        Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan(0, bytes.Length & ~7));
        for (int i = 0; i < words.Length; i++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            words[i] = state;
        }

        for (int at = 0; at + 12 <= bytes.Length; at += BlockSize)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), seed);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at + 8), piece.Number);
        }

        return bytes;
    }

    /// <summary>Where a body's blocks came from: runs of (seed, piece) as their headers say.</summary>
    private static string DescribeBlocks(byte[] bytes)
    {
        var runs = new List<string>();
        (long Seed, int Number) last = (-1, -1);
        int count = 0;
        for (int at = 0; at + 12 <= bytes.Length; at += BlockSize)
        {
            (long, int) block = (BitConverter.ToInt64(bytes, at), BitConverter.ToInt32(bytes, at + 8));
            if (block != last && count > 0)
            {
                runs.Add($"{count}×(seed {last.Seed}, piece {last.Number})");
                count = 0;
            }

            last = block;
            count++;
        }

        if (count > 0)
        {
            runs.Add($"{count}×(seed {last.Seed}, piece {last.Number})");
        }

        return $"{bytes.Length} bytes: {string.Join(", ", runs.Take(20))}";
    }

    private static string Describe(Version? version)
        => version is null ? "nothing" : $"seed {version.Seed} [{string.Join("+", version.Pieces.Select(p => p.Number == 0 ? $"{p.Size}" : $"p{p.Number}:{p.Size}"))}]{(version.SseC ? " SSE-C" : "")}";

    private string History(List<Op> ops)
        => string.Join("\n", ops.OrderBy(op => op.Start).Select(op =>
            $"  {Ms(op.Start)}–{(op.IsAcknowledged ? Ms(op.End) : "never acknowledged")}: {(op.Writes is null ? "delete" : "write " + Describe(op.Writes))}"));

    private static string Ms(long ticks) => $"{ticks * 1000.0 / Stopwatch.Frequency:F1} ms";

    private AmazonS3Client CreateClient(ServerProcess server) => new(
        new BasicAWSCredentials(AwsCli.AccessKey, AwsCli.SecretKey),
        new AmazonS3Config
        {
            ServiceURL = server.BaseUrl.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "us-east-1",
            HttpClientFactory = new TrustingHttpClientFactory(),
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(60),
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });

    /// <summary>One part of a version (number 0: a single PUT's whole body).</summary>
    private readonly record struct Piece(int Number, int Size);

    /// <summary>Content some client attempted to store under <see cref="Key"/>; identified by <see cref="Digest"/>.</summary>
    private sealed record Version(string Key, long Seed, Piece[] Pieces, bool SseC, string Digest);

    /// <summary>A write (or a delete, when <see cref="Writes"/> is null) of a key, with when it started and was acknowledged.</summary>
    private sealed class Op(string key, Version? writes, long start)
    {
        public string Key { get; } = key;

        public Version? Writes { get; } = writes;

        public long Start { get; } = start;

        public long End { get; set; } = long.MaxValue;

        public bool IsAcknowledged => End != long.MaxValue;
    }

    private sealed class Upload(string key, string id, Version planned)
    {
        public string Key { get; } = key;

        public string Id { get; } = id;

        public Version Planned { get; } = planned;

        /// <summary>Part number → size, for every part sent / every part the server acknowledged.</summary>
        public ConcurrentDictionary<int, int> Attempted { get; } = new();

        public ConcurrentDictionary<int, int> Acknowledged { get; } = new();

        public ConcurrentDictionary<int, string> ETags { get; } = new();

        public bool CompleteStarted { get; set; }

        public bool Completed { get; set; }

        public bool AbortStarted { get; set; }

        public bool Aborted { get; set; }

        /// <summary>Completed or aborted after a restart (by <see cref="FinishAsync"/>).</summary>
        public bool Finished { get; set; }
    }

    private sealed class Round(int number, long started)
    {
        public int Number { get; } = number;

        public long Started { get; } = started;

        public ConcurrentQueue<Op> Ops { get; } = new();

        public ConcurrentQueue<Upload> Uploads { get; } = new();

        public ConcurrentQueue<string> Acknowledged { get; } = new();

        public ConcurrentQueue<string> Errors { get; } = new();

        public int[] InitiatesInFlight { get; } = new int[Keys.Length];

        public int CompletesInFlight;

        public int CompletesInFlightAtKill;

        /// <summary>Clock ticks when the kill was decided; 0 before. Failures caught later are the kill's doing.</summary>
        public long KilledAt;
    }

    private sealed class SilentLog : IServerLog
    {
        public void Info(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void Error(string message, Exception? exception = null)
        {
        }
    }

    private sealed class TrustingHttpClientFactory : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig)
            => new(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true });
    }
}

/// <summary>A fact that runs only when FASTS3_SOAK is set (long soaks stay out of the default run).</summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public SoakFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FASTS3_SOAK")))
        {
            Skip = "Soak: set FASTS3_SOAK=1 to run.";
        }
    }
}
