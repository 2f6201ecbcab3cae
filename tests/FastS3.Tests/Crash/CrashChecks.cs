using Amazon.S3;
using Amazon.S3.Model;

namespace FastS3.Tests.Crash;

/// <summary>What must hold after a restart, against what the workers of <paramref name="round"/> did.</summary>
internal sealed class CrashChecks(CrashWorld world, CrashClient client, Round round)
{
    /// <summary>Keys read and judged so far.</summary>
    public int KeysVerified { get; private set; }

    /// <summary>
    /// Reads <paramref name="keys"/> whole, with ETag and stored checksum: each must hold exactly what
    /// some write of the round (or the state it started from) put there, bytes, customer key, ETag and
    /// checksum, and that write must not have been replaced by an acknowledged one that started after
    /// it was acknowledged. So every acknowledged write to a write-once key reads back exactly, unless
    /// a delete of it was acknowledged, and one cut off is there whole or not at all. Returns what
    /// each contended key holds and each write-once key still there.
    /// </summary>
    public async Task<Dictionary<string, Version?>> VerifyObjectsAsync(IEnumerable<string> keys, string when)
    {
        var state = new Dictionary<string, Version?>();
        foreach (string key in keys)
        {
            Observed? seen;
            try
            {
                seen = await client.ReadAsync(key);
            }
            catch (AmazonS3Exception ex)
            {
                Assert.Fail($"round {round.Number}, {when}: reading {key} failed: {(int)ex.StatusCode} {ex.ErrorCode} {ex.Message}\n{round.History.Describe(key)}");
                throw;
            }

            string? problem = round.History.Check(key, version => version is null ? seen is null : seen is not null && version.Matches(seen));
            Assert.True(problem is null, $"round {round.Number}, {when}: {key} holds {seen?.ToString() ?? "nothing"}; {problem}");
            if (seen is not null || !world.IsWriteOnce(key))
            {
                state[key] = seen is null ? null : round.History.Writes.First(w => w.Key == key && !w.Refused && w.Value is not null && w.Value.Matches(seen)).Value!.As(seen);
            }

            KeysVerified++;
        }

        return state;
    }

    /// <summary>The bucket lists exactly the keys <paramref name="state"/> says hold something: no key a delete removed, or none a write never put there, came back.</summary>
    public async Task VerifyListingAsync(Dictionary<string, Version?> state, string when)
    {
        string[] listed = [.. (await BucketContents.ListObjectsAsync(client.Sdk, CrashClient.Bucket)).Select(item => item.Key).Order(StringComparer.Ordinal)];
        string[] found = [.. state.Where(entry => entry.Value is not null).Select(entry => entry.Key).Order(StringComparer.Ordinal)];
        Assert.True(listed.SequenceEqual(found), $"round {round.Number}, {when}: the bucket lists [{string.Join(", ", listed)}], the keys read hold [{string.Join(", ", found)}]");
    }

    /// <summary>
    /// ListMultipartUploads against what the clients did, and ListParts of each upload listed: no
    /// upload whose Complete or Abort was acknowledged, every upload created and never completed nor
    /// aborted, none whose Complete reached the key, every acknowledged part. Returns the uploads listed with their parts.
    /// </summary>
    public async Task<List<(string Key, string UploadId, List<PartDetail> Parts)>> VerifyUploadsAsync(Dictionary<string, Version?> state)
    {
        List<(string Key, string UploadId)> listed = await BucketContents.ListUploadsAsync(client.Sdk, CrashClient.Bucket);
        var open = new List<(string, string, List<PartDetail>)>();
        foreach ((string key, string uploadId) in listed)
        {
            List<PartDetail> parts = await BucketContents.ListPartsAsync(client.Sdk, CrashClient.Bucket, key, uploadId);
            open.Add((key, uploadId, parts));
            if (!world.Uploads.TryGetValue(uploadId, out Upload? upload))
            {
                // A Create cut off by the kill: its id never reached the client, so it has no parts.
                Assert.True(round.InitiatesInFlight.GetValueOrDefault(key) > 0, $"round {round.Number}: unknown upload {uploadId} of {key} listed");
                Assert.Empty(parts);
                continue;
            }

            Assert.Equal(upload.Key, key);
            Assert.False(upload.Completed, $"round {round.Number}: upload {uploadId} of {key} was completed (acknowledged) but is still listed");
            Assert.False(upload.Aborted, $"round {round.Number}: upload {uploadId} of {key} was aborted (acknowledged) but is still listed");
            Assert.False(
                upload.Completing is not null && Equals(state.GetValueOrDefault(key), upload.Completing),
                $"round {round.Number}: {key} holds the object of upload {uploadId}, whose Complete was cut off, yet start-up left the upload listed");

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

        foreach (Upload upload in world.Uploads.Values.Where(u => !u.Finished && u.Completing is null && !u.AbortStarted))
        {
            Assert.True(listed.Contains((upload.Key, upload.Id)), $"round {round.Number}: upload {upload.Id} of {upload.Key}, never completed nor aborted, is not listed");
        }

        return open;
    }

    /// <summary>
    /// Completes a listed upload from the planned parts ListParts shows (an extra part left out) —
    /// the object is then checked like any — or aborts it when it has none of them.
    /// </summary>
    public async Task FinishAsync(string key, string uploadId, List<PartDetail> parts)
    {
        world.Uploads.TryGetValue(uploadId, out Upload? upload);
        List<PartDetail> used = upload is null ? [] : [.. parts.Where(part => upload.Planned.Any(piece => piece.Number == part.PartNumber)).OrderBy(part => part.PartNumber)];
        if (upload is null || used.Count == 0)
        {
            await client.AbortAsync(key, uploadId, CancellationToken.None);
            upload?.Finished = true;
            return;
        }

        Version version = upload.Complete([.. used.Select(part => upload.Planned.Single(piece => piece.Number == part.PartNumber))], used.Select(part => part.ETag));
        WriteHistory<Version>.Write write = round.History.Begin(key, version);
        string etag = await client.CompleteAsync(upload, used.Select(part => (part.PartNumber!.Value, part.ETag)), CancellationToken.None);
        Assert.Equal(version.ETag, etag.Trim('"'));
        WriteHistory<Version>.Acknowledge(write);
        round.Acknowledged.Enqueue("leftover Complete");
        upload.Finished = true;
    }
}
