using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using FastS3.Basics;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Tests.Crash;

/// <summary>
/// What the workers send during a round, on the world's few contended keys: PUTs (inline, file-backed
/// and past the part size; plain and SSE-C; some with a checksum of the client's, sent aws-chunked),
/// DELETEs, multipart uploads (completed, aborted or left open; a Complete sometimes chased onto its
/// key by a PUT or a DELETE), and CopyObject from any key to any key (plain and SSE-C on either side,
/// key rotation onto the same key, multipart sources), pinned to the source version it read
/// (x-amz-copy-source-if-match), so an acknowledged copy wrote that version. Beside them, write-once
/// keys: each new one gets a PUT, a Complete or a copy (of a contended or a write-once key), and once
/// <see cref="LiveWriteOnceKeys"/> are alive, old ones are deleted. Every write enters the round's
/// history before it is sent and is acknowledged there once the server says it succeeded.
/// </summary>
internal sealed class CrashWorkload(CrashWorld world, CrashClient client, Round round)
{
    public const int PartSize = 5 * 1024 * 1024;
    private const int MaxOperationsPerWorker = 2_000;

    /// <summary>Write-once keys kept alive (deletes take over beyond), which bounds what the store holds.</summary>
    private const int LiveWriteOnceKeys = 48;

    private static readonly int InlineLimit = new StoreOptions().InlineLimit;
    private static readonly ChecksumAlgorithm[] ClientChecksums = [ChecksumAlgorithm.SHA256, ChecksumAlgorithm.SHA1, ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.CRC64NVME];

    /// <summary>One worker: operations until <paramref name="stop"/> (or the kill) ends them; a failure before the kill goes into the round's errors.</summary>
    public async Task RunAsync(int worker, int seed, CancellationToken stop)
    {
        var random = new Random(seed);
        for (int i = 0; i < MaxOperationsPerWorker && !stop.IsCancellationRequested; i++)
        {
            string key = world.Keys[random.Next(world.Keys.Length)];
            bool writeOnce = random.NextDouble() < 0.4;
            double roll = random.NextDouble();
            try
            {
                await (writeOnce ? WriteOnceAsync(random, stop)
                    : roll < 0.25 ? MultipartAsync(key, random, stop)
                    : roll < 0.5 ? PutAsync(key, random, stop)
                    : roll < 0.8 ? CopyAsync(random.NextDouble() < 0.4 ? key : world.Keys[random.Next(world.Keys.Length)], key, random, stop)
                    : DeleteAsync(key, stop));
            }
            catch (Exception) when (Volatile.Read(ref round.KilledAt) != 0)
            {
                // Cut off by the kill (or by the stop that follows it): unacknowledged, as intended.
                return;
            }
            catch (Exception ex)
            {
                round.Errors.Enqueue($"worker {worker}, {(writeOnce ? "a write-once key" : key)}: {ex.GetType().Name}: {ex.Message}");
                return;
            }
        }
    }

    /// <summary>A new write-once key written by a PUT, a Complete or a copy; or, once enough are alive, an old one deleted.</summary>
    private Task WriteOnceAsync(Random random, CancellationToken stop)
    {
        if (round.Settled >= LiveWriteOnceKeys && round.TakeSettled(random) is { } old)
        {
            return DeleteAsync(old, stop);
        }

        string key = round.CreateWriteOnce(world);
        double roll = random.NextDouble();
        return roll < 0.5 ? PutAsync(key, random, stop)
            : roll < 0.7 ? MultipartAsync(key, random, stop)
            : CopyAsync(random.NextDouble() < 0.7 ? round.AnySettled(random) ?? world.Keys[0] : world.Keys[random.Next(world.Keys.Length)], key, random, stop);
    }

    private Task PutAsync(string key, Random random, CancellationToken stop)
    {
        double roll = random.NextDouble();
        int size = roll < 0.4 ? random.Next(16, InlineLimit) : roll < 0.9 ? random.Next(InlineLimit, 1024 * 1024) : PartSize + random.Next(Content.BlockSize);
        int? customerKey = random.NextDouble() < 0.4 ? random.Next(world.CustomerKeys.Count) : null;
        ChecksumAlgorithm? algorithm = random.NextDouble() < 0.25 ? ClientChecksums[random.Next(ClientChecksums.Length)] : null;
        bool inline = (customerKey is null ? size : SegmentFormat.StoredSize(size)) <= InlineLimit;
        return PutAsync(key, size, customerKey, algorithm, $"{(customerKey is null ? "" : "SSE-C ")}{(inline ? "inline" : "file")} PUT{(algorithm is null ? "" : " " + algorithm.Value)}", stop);
    }

    private async Task PutAsync(string key, int size, int? customerKey, ChecksumAlgorithm? algorithm, string kind, CancellationToken stop)
    {
        Content content = Content.Create(world.NextSeed(), [new Piece(0, size)], out byte[][] bytes);
        string checksum = algorithm is null ? content.Crc64Nvme : Checksum(algorithm, bytes[0], content);
        var version = new Version(content, customerKey, customerKey is null ? content.Md5 : null, Version.FullObject(algorithm?.Value ?? "CRC64NVME", checksum));
        WriteHistory<Version>.Write write = round.History.Begin(key, version);
        string etag = await client.PutAsync(key, bytes[0], customerKey, algorithm, stop);
        Acknowledge(write, kind, etag);
    }

    /// <summary>A body's checksum as S3 reports it, computed here (not by the server's code).</summary>
    private static string Checksum(ChecksumAlgorithm algorithm, byte[] body, Content content) => algorithm.Value switch
    {
        "SHA256" => Convert.ToBase64String(SHA256.HashData(body)),
        "SHA1" => Convert.ToBase64String(SHA1.HashData(body)),
        "CRC32" => MultipartUploadChecksumTests.Crc32(body),
        "CRC32C" => MultipartUploadChecksumTests.Crc32C(body),
        _ => content.Crc64Nvme,
    };

    private async Task DeleteAsync(string key, CancellationToken stop)
    {
        WriteHistory<Version>.Write write = round.History.Begin(key, null);
        await client.DeleteAsync(key, stop);
        Acknowledge(write, "DELETE", etag: null);
    }

    /// <summary>
    /// Create, the parts (at once; sometimes one more the Complete leaves out, sometimes part 1 sent
    /// twice), then mostly Complete, sometimes Abort, sometimes nothing (the upload stays open). On a
    /// write-once key the upload may have a single small part.
    /// </summary>
    private async Task MultipartAsync(string key, Random random, CancellationToken stop)
    {
        bool writeOnce = world.IsWriteOnce(key);
        int? customerKey = random.NextDouble() < 0.35 ? random.Next(world.CustomerKeys.Count) : null;
        int full = random.Next(writeOnce ? 0 : 1, 3);
        Piece[] planned = [.. Enumerable.Range(1, full).Select(number => new Piece(number, PartSize)), new Piece(full + 1, random.Next(16, 512 * 1024))];
        Piece[] extra = random.NextDouble() < 0.25 ? [new Piece(full + 2, random.Next(16, 64 * 1024))] : [];
        bool resend = random.NextDouble() < 0.25;
        double ending = random.NextDouble();

        round.InitiatesInFlight.AddOrUpdate(key, 1, (_, count) => count + 1);
        string uploadId = await client.InitiateAsync(key, customerKey, stop);
        round.InitiatesInFlight.AddOrUpdate(key, 0, (_, count) => count - 1);
        var upload = new Upload(key, uploadId, world.NextSeed(), planned, customerKey);
        world.Uploads[upload.Id] = upload;
        round.Uploads.Enqueue(upload);
        round.Acknowledged.Enqueue("Create");

        await Task.WhenAll(planned.Concat(extra).Select(piece => SendPartAsync(upload, piece, stop)));
        if (resend)
        {
            await SendPartAsync(upload, planned[0], stop);
        }

        if (ending < 0.8)
        {
            await CompleteAsync(upload, chase: !writeOnce, random, stop);
        }
        else if (ending < 0.9)
        {
            upload.AbortStarted = true;
            await client.AbortAsync(key, upload.Id, stop);
            upload.Aborted = true;
            round.Acknowledged.Enqueue("Abort");
        }
    }

    private async Task SendPartAsync(Upload upload, Piece piece, CancellationToken stop)
    {
        upload.Attempted[piece.Number] = piece.Size;
        upload.ETags[piece.Number] = await client.UploadPartAsync(upload, piece, Content.Bytes(upload.Seed, piece), stop);
        upload.Acknowledged[piece.Number] = piece.Size;
    }

    /// <summary>The Complete; with <paramref name="chase"/>, half the time a small PUT or a DELETE chases it onto the key a few milliseconds later.</summary>
    private async Task CompleteAsync(Upload upload, bool chase, Random random, CancellationToken stop)
    {
        upload.Completing = upload.Complete(upload.Planned, upload.Planned.Select(piece => upload.ETags[piece.Number]));
        WriteHistory<Version>.Write write = round.History.Begin(upload.Key, upload.Completing);
        Interlocked.Increment(ref round.CompletesInFlight);
        Task chaser = Task.CompletedTask;
        string etag;
        try
        {
            Task<string> completing = client.CompleteAsync(upload, upload.Planned.Select(piece => (piece.Number, upload.ETags[piece.Number])), stop);
            int delay = random.Next(16);
            if (chase && delay < 8)
            {
                chaser = ChaseAsync(upload.Key, delay, put: random.NextDouble() < 0.5, stop);
            }

            etag = await completing;
        }
        finally
        {
            Interlocked.Decrement(ref round.CompletesInFlight);
        }

        Acknowledge(write, upload.CustomerKey is null ? "Complete" : "SSE-C Complete", etag);
        upload.Completed = true;
        await chaser;
    }

    private async Task ChaseAsync(string key, int delay, bool put, CancellationToken stop)
    {
        await Task.Delay(delay, stop);
        await (put ? PutAsync(key, 16 + delay, customerKey: null, algorithm: null, "chasing PUT", stop) : DeleteAsync(key, stop));
    }

    /// <summary>
    /// Reads the source whole, then copies that very version (if-match on its ETag) onto the
    /// destination, as plain or under a customer key; onto itself, an SSE-C object under a customer key
    /// is a key rotation, other changes of mode mostly a re-wrap, and a plain one is copied with
    /// REPLACE. A copy refused because the source changed meanwhile wrote nothing.
    /// </summary>
    private async Task CopyAsync(string source, string destination, Random random, CancellationToken stop)
    {
        Observed? seen = await client.ReadAsync(source, stop);
        if (seen is null || seen.Checksum == CrashClient.ChangedWhileRead)
        {
            round.Acknowledged.Enqueue("Copy skipped (no source)");
            return;
        }

        Version pinned = round.History.Writes.Where(w => w.Key == source && !w.Refused).Select(w => w.Value).FirstOrDefault(v => v is not null && v.Matches(seen))
            ?? throw new InvalidOperationException($"{source} holds {seen}, which no write put there");
        // Onto itself, an SSE-C object mostly gets a key again: a rotation (the other key, or the same).
        // Objects here are SSE-C or SSE-S3 (the default), so onto itself only the object key is sealed
        // again (a re-wrap, which keeps the checksum), unless the ETag must become a content MD5 the
        // object lacks (single-part SSE-C to SSE-S3): then it is copied. A single-part SSE-S3 object
        // going SSE-C trades its MD5 for a random ETag; SSE-S3 onto itself is copied with REPLACE.
        bool sseC = random.NextDouble() < (source == destination && pinned.CustomerKey is not null ? 0.8 : 0.5);
        int? customerKey = sseC ? random.Next(world.CustomerKeys.Count) : null;
        bool multipart = seen.ETag.Contains('-');
        bool rotation = source == destination && pinned.CustomerKey is not null && customerKey is not null;
        bool rewrap = source == destination && (customerKey is not null || (pinned.CustomerKey is not null && multipart));
        Version copy = rewrap
            ? pinned.As(seen) with { CustomerKey = customerKey, ETag = multipart || pinned.CustomerKey is not null ? seen.ETag : null }
            : new Version(pinned.Content, customerKey, customerKey is null ? pinned.Content.Md5 : null, Version.FullObject("CRC64NVME", pinned.Content.Crc64Nvme));
        string kind = rotation ? "key rotation" : rewrap ? $"re-wrap{(multipart ? " of a multipart object" : "")}"
            : $"{(pinned.CustomerKey is null ? "plain" : "SSE-C")}→{(customerKey is null ? "plain" : "SSE-C")} Copy{(multipart ? " of a multipart object" : "")}";

        WriteHistory<Version>.Write write = round.History.Begin(destination, copy);
        Interlocked.Increment(ref round.CopiesInFlight);
        string etag;
        try
        {
            etag = await client.CopyAsync(source, seen.ETag, pinned.CustomerKey, destination, customerKey, replace: source == destination && pinned.CustomerKey is null && customerKey is null, stop);
        }
        catch (AmazonS3Exception ex) when (SourceChanged(ex))
        {
            write.Refused = true;
            round.Acknowledged.Enqueue("Copy refused (source changed)");
            return;
        }
        finally
        {
            Interlocked.Decrement(ref round.CopiesInFlight);
        }

        Acknowledge(write, kind, etag);
    }

    /// <summary>
    /// A copy refused because its source changed since it was read: replaced (412), deleted (404), or
    /// re-wrapped, which keeps the ETag the copy pins: the copy-source key it brings no longer opens
    /// it (403; 400 InvalidArgument when it is the copy's key too), or it now needs one, or refuses
    /// one (400 InvalidRequest).
    /// </summary>
    private static bool SourceChanged(AmazonS3Exception ex)
        => ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound or HttpStatusCode.Forbidden
            || (ex.StatusCode == HttpStatusCode.BadRequest && ex.ErrorCode is "InvalidArgument" or "InvalidRequest");

    /// <summary>Marks the write acknowledged; the ETag the server answered (when one) must be the one expected.</summary>
    private void Acknowledge(WriteHistory<Version>.Write write, string kind, string? etag)
    {
        WriteHistory<Version>.Acknowledge(write);
        bool writeOnce = world.IsWriteOnce(write.Key);
        round.Acknowledged.Enqueue(writeOnce ? $"write-once {kind}" : kind);
        if (writeOnce && write.Value is not null)
        {
            round.Settle(write.Key);
        }

        if (write.Value?.ETag is string expected && etag is not null && etag.Trim('"') != expected)
        {
            throw new InvalidOperationException($"{kind} of {write.Key} answered ETag {etag}, expected {expected}");
        }
    }
}
