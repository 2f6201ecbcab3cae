using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// SSE-C as clients see it: the seed walkthrough with the aws command against the executable, then
/// every applicable error row of the reference (status and Code), over real TLS against the server
/// hosted in process.
/// </summary>
public sealed class SseCTests : IDisposable
{
    // The seed document's key: "32byteslongsecretkeymustprovided".
    internal const string Key = "MzJieXRlc2xvbmdzZWNyZXRrZXltdXN0cHJvdmlkZWQ=";
    internal const string KeyMd5 = "7PpPLAK26ONlVUGOWlusfg==";
    internal static readonly string OtherKey = Convert.ToBase64String(Encoding.ASCII.GetBytes("another32byteslongsecretkey12345"));
    internal static readonly string OtherKeyMd5 = Convert.ToBase64String(MD5.HashData(Encoding.ASCII.GetBytes("another32byteslongsecretkey12345")));

    private readonly string _work = Directory.CreateTempSubdirectory("fasts3-ssec-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    internal static string[] Triple(string key = Key, string md5 = KeyMd5) =>
        ["x-amz-server-side-encryption-customer-algorithm:AES256", $"x-amz-server-side-encryption-customer-key:{key}", $"x-amz-server-side-encryption-customer-key-MD5:{md5}"];

    private static Task<RawResponse> Send(TestServer server, string method, string path, byte[] body, params string[] headers)
        => SignedRequests.SendAsync(server, method, path, body, headers);

    [Theory]
    [InlineData("AES256", "", "", 400, "InvalidArgument")]                          // algorithm without key
    [InlineData("AES256", Key, "", 400, "InvalidArgument")]                         // no key MD5
    [InlineData("", Key, KeyMd5, 400, "InvalidArgument")]                           // key without algorithm
    [InlineData("AES128", Key, KeyMd5, 400, "InvalidArgument")]                     // not AES256
    [InlineData("AES256", Key, "AAAAAAAAAAAAAAAAAAAAAA==", 400, "InvalidArgument")] // MD5 mismatch
    [InlineData("AES256", "c2hvcnQ=", "wrxMdkaVFMsUJvfMR7rp3A==", 403, "AccessDenied")] // key not 32 bytes
    [InlineData("AES256", "not base64!", KeyMd5, 403, "AccessDenied")]
    public async Task MalformedTriplesAreRefused(string algorithm, string key, string md5, int status, string code)
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Assert.Equal(0, (await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
        var headers = new List<string>();
        if (algorithm.Length > 0)
        {
            headers.Add($"x-amz-server-side-encryption-customer-algorithm:{algorithm}");
        }

        if (key.Length > 0)
        {
            headers.Add($"x-amz-server-side-encryption-customer-key:{key}");
        }

        if (md5.Length > 0)
        {
            headers.Add($"x-amz-server-side-encryption-customer-key-MD5:{md5}");
        }

        S3Assert.Error(await Send(server, "PUT", "/bucket/object", "data"u8.ToArray(), [.. headers]), status, code);
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "head-object", "--bucket", "bucket", "--key", "object");
        Assert.NotEqual(0, exit);
        Assert.Contains("(404)", stderr);
    }

    [Fact]
    public async Task SseCOverPlainHttpIsRefusedBeforeTheBody()
    {
        await using InProcessServer server = await InProcessServer.StartAsync(tls: false);
        foreach (string method in new[] { "PUT", "GET", "HEAD" })
        {
            RawResponse response = await Send(server, method, "/bucket/object", [], Triple());
            Assert.Equal(400, response.Status);
            if (method != "HEAD")
            {
                S3Assert.Error(response, 400, "InvalidRequest");
                Assert.Contains("secure connection", response.BodyText);
            }
        }

        // A client waiting for 100 Continue gets the refusal instead and never sends the key's data.
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(server.BaseUrl, "/bucket/object"), null, [.. Triple(), "Expect:100-continue"]);
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port);
        await client.SendAsync($"PUT /bucket/object HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: 1000000\r\n{signed}\r\n");
        Assert.Equal(400, (await client.ReadResponseAsync(timeoutSeconds: 5)).Status);

        // Copy-source keys too.
        S3Assert.Error(await Send(server, "PUT", "/bucket/object", [], "x-amz-copy-source-server-side-encryption-customer-algorithm:AES256"), 400, "InvalidRequest");
    }

    [Fact]
    public async Task SseCWithAnotherEncryptionIsIncompatible()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Assert.Equal(0, (await AwsCli.RunWarmAsync(server.BaseUrl, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
        S3Assert.Error(await Send(server, "PUT", "/bucket/object", "data"u8.ToArray(), [.. Triple(), "x-amz-server-side-encryption:AES256"]), 400, "InvalidArgument");
        S3Assert.Error(await Send(server, "PUT", "/bucket/object", "data"u8.ToArray(), [.. Triple().Select(h => h.Replace("x-amz-", "x-amz-copy-source-"))]), 400, "InvalidRequest");
    }

    internal static string[] KeyFlags(string key = Key, string md5 = KeyMd5) =>
        ["--sse-customer-algorithm", "AES256", "--sse-customer-key", key, "--sse-customer-key-md5", md5];

    [Trait("Store", "Disk")]
    [Fact]
    public async Task SeedWalkthroughVerbatim()
    {
        await using ServerProcess server = await ServerProcess.StartAsync();
        await RunSeedWalkthroughAsync(server, _work);
    }

    /// <summary>The seed document's commands, as written, against https://localhost:PORT; the diary comes back byte for byte (cmp).</summary>
    internal static async Task RunSeedWalkthroughAsync(ServerProcess server, string work)
    {
        var endpoint = new Uri($"https://localhost:{server.BaseUrl.Port}");
        string diary = Path.Combine(work, "my-diary.txt");
        string original = string.Concat(Enumerable.Range(1, 3000).Select(i => $"Dear diary, day {i}: nothing to report.\n"));
        File.WriteAllText(diary, original);
        string kept = Path.Combine(work, "my-diary.orig");
        File.Copy(diary, kept);

        Assert.Equal(0, (await AwsCli.RunAsync(endpoint, "s3api", "create-bucket", "--bucket", "my-bucket")).ExitCode);
        var (exit, stdout, stderr) = await AwsCli.RunAsync(endpoint, ["s3api", "put-object", "--bucket", "my-bucket", "--key", "my-secret-diary", .. KeyFlags(), "--body", diary]);
        Assert.True(exit == 0, stderr);
        using (JsonDocument put = JsonDocument.Parse(stdout))
        {
            Assert.Equal("AES256", put.RootElement.GetProperty("SSECustomerAlgorithm").GetString());
            Assert.Equal(KeyMd5, put.RootElement.GetProperty("SSECustomerKeyMD5").GetString());
            Assert.NotEqual($"\"{Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(diary)))}\"", put.RootElement.GetProperty("ETag").GetString());
        }

        (exit, stdout, stderr) = await AwsCli.RunAsync(endpoint, ["s3api", "head-object", "--bucket", "my-bucket", "--key", "my-secret-diary", .. KeyFlags()]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(original.Length, JsonDocument.Parse(stdout).RootElement.GetProperty("ContentLength").GetInt64());

        File.Delete(diary);
        (exit, _, stderr) = await AwsCli.RunAsync(endpoint, ["s3api", "get-object", "--bucket", "my-bucket", "--key", "my-secret-diary", .. KeyFlags(), diary]);
        Assert.True(exit == 0, stderr);
        Assert.Equal(0, (await Processes.RunAsync("cmp", diary, kept)).ExitCode);
    }

    private string WriteTemp(string text)
    {
        string path = Path.Combine(_work, Guid.NewGuid().ToString("N"));
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task ReadsNeedTheRightKeyAndPlainObjectsRefuseOne()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Uri url = server.BaseUrl;
        string body = WriteTemp("secret text");
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, ["s3api", "put-object", "--bucket", "bucket", "--key", "encrypted", "--body", body, .. KeyFlags()])).ExitCode);
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "put-object", "--bucket", "bucket", "--key", "plain", "--body", body)).ExitCode);

        S3Assert.Error(await Send(server, "GET", "/bucket/encrypted", []), 400, "InvalidRequest");
        S3Assert.Error(await Send(server, "GET", "/bucket/encrypted", [], Triple(OtherKey, OtherKeyMd5)), 403, "AccessDenied");
        S3Assert.Error(await Send(server, "GET", "/bucket/plain", [], Triple()), 400, "InvalidRequest");
        Assert.Equal(400, (await Send(server, "HEAD", "/bucket/encrypted", [])).Status);
        Assert.Equal(403, (await Send(server, "HEAD", "/bucket/encrypted", [], Triple(OtherKey, OtherKeyMd5))).Status);
        Assert.Equal(400, (await Send(server, "HEAD", "/bucket/plain", [], Triple())).Status);

        // aws-cli sees the same codes.
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "get-object", "--bucket", "bucket", "--key", "encrypted", Path.Combine(_work, "out"));
        Assert.NotEqual(0, exit);
        Assert.Contains("(InvalidRequest)", stderr);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(url, ["s3api", "get-object", "--bucket", "bucket", "--key", "encrypted", .. KeyFlags(OtherKey, OtherKeyMd5), Path.Combine(_work, "out")]);
        Assert.NotEqual(0, exit);
        Assert.Contains("(AccessDenied)", stderr);
    }

    [Trait("Store", "Disk")]
    [Fact]
    public async Task NothingSecretIsOnDisk()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Uri url = server.BaseUrl;
        const string Plaintext = "The quick brown fox knows the launch codes: 0451-XYZZY-PLUGH";
        string body = WriteTemp(string.Concat(Enumerable.Repeat(Plaintext + "\n", 5000)));
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "vault")).ExitCode);
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(url, ["s3api", "put-object", "--bucket", "vault", "--key", "plans", "--body", body,
            "--content-type", "application/x-launch-codes", "--metadata", "owner=alice-the-agent,codename=BLUEBIRD", .. KeyFlags()]);
        Assert.True(exit == 0, stderr);

        // It all comes back with the key...
        (exit, string stdout, stderr) = await AwsCli.RunWarmAsync(url, ["s3api", "head-object", "--bucket", "vault", "--key", "plans", .. KeyFlags()]);
        Assert.True(exit == 0, stderr);
        using (JsonDocument head = JsonDocument.Parse(stdout))
        {
            Assert.Equal("application/x-launch-codes", head.RootElement.GetProperty("ContentType").GetString());
            Assert.Equal("BLUEBIRD", head.RootElement.GetProperty("Metadata").GetProperty("codename").GetString());
        }

        // ...but once the server has stopped (everything flushed), no file under DATA_DIR holds any of it.
        server.KeepDataDir = true;
        Assert.Equal(0, await server.StopAsync());
        byte[] rawKey = Convert.FromBase64String(Key);
        string[] secrets = [Plaintext[..30], "alice-the-agent", "BLUEBIRD", "x-launch-codes", Key, KeyMd5, Encoding.Latin1.GetString(rawKey), Convert.ToHexString(rawKey), Convert.ToHexStringLower(rawKey), Convert.ToHexStringLower(Convert.FromBase64String(KeyMd5))];
        int files = 0;
        foreach (string file in Directory.EnumerateFiles(server.DataDir, "*", SearchOption.AllDirectories))
        {
            files++;
            string content = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            foreach (string secret in secrets)
            {
                Assert.False(content.Contains(secret, StringComparison.Ordinal), $"{file} contains '{secret}'");
            }
        }

        Assert.True(files >= 3, "expected the data file, the index and the bucket's files");
        Assert.DoesNotContain(Key, server.Log);
        Assert.DoesNotContain("BLUEBIRD", server.Log);
        Directory.Delete(server.DataDir, recursive: true);
    }

    [Fact]
    public async Task RangedReadsMatchThePlaintextSlice()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        var (exit, stdout, stderr) = await Processes.RunAsync("python3", "-c", """
            import base64, hashlib, random, sys, warnings, boto3, botocore
            warnings.filterwarnings("ignore")
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1",
                              verify=False, config=botocore.config.Config(retries={"max_attempts": 1}))
            key = b"32byteslongsecretkeymustprovided"
            sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
            s3.create_bucket(Bucket="ranges")
            rng = random.Random(20261127)
            checks = 0
            for size in [0, 1, 65535, 65536, 65537, 131072, 3 * 1024 * 1024] + [rng.randrange(0, 3 * 1024 * 1024) for _ in range(5)]:
                data = rng.randbytes(size)
                s3.put_object(Bucket="ranges", Key=f"o{size}", Body=data, **sse)
                assert s3.get_object(Bucket="ranges", Key=f"o{size}", **sse)["Body"].read() == data
                for _ in range(12 if size else 0):
                    kind = rng.randrange(3)
                    a = rng.randrange(size)
                    if kind == 0:
                        b = rng.randrange(a, size)
                        spec, want = f"bytes={a}-{b}", data[a:b + 1]
                    elif kind == 1:
                        spec, want = f"bytes={a}-", data[a:]
                    else:
                        n = rng.randrange(1, size + 2)
                        spec, want = f"bytes=-{n}", data[-n:]
                    got = s3.get_object(Bucket="ranges", Key=f"o{size}", Range=spec, **sse)["Body"].read()
                    assert got == want, (size, spec, len(got), len(want))
                    checks += 1
            print(f"ranges ok {checks}")
            """, server.BaseUrl.ToString().TrimEnd('/'), AwsCli.AccessKey, AwsCli.SecretKey);
        Assert.True(exit == 0, stderr);
        Assert.Contains("ranges ok", stdout);
    }

    /// <summary>
    /// Every kind of damage to a stored SSE-C object, read whole and by two ranges: what the damage
    /// touches is refused (500 InternalError) before any byte when it is found before the answer
    /// starts, or cut short with every byte sent right when it is found later; what it does not touch
    /// is served exactly. After each read the server answers the next request.
    /// </summary>
    [Fact]
    public async Task TamperedDataNeverReturnsAWrongByte()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        StoredData stored = server.Stored;
        await CreateBucketAsync(server, "bucket");

        // Objects with different contents; find which data item is whose. Reads decrypt four
        // segments a batch: the victim's four are one batch, the long one's seven are two.
        var plaintexts = new Dictionary<string, byte[]>();
        var items = new Dictionary<string, DataItem>();
        foreach ((string key, int size) in new[] { ("victim", (3 * 65536) + 100), ("donor", (3 * 65536) + 100), ("long", (6 * 65536) + 100) })
        {
            plaintexts[key] = RandomNumberGenerator.GetBytes(size);
            IReadOnlyList<DataItem> before = stored.DataItems("bucket");
            await PutObjectAsync(server, "bucket", key, plaintexts[key], Triple());
            items[key] = stored.DataItems("bucket").Except(before).Single();
        }

        await PutObjectAsync(server, "bucket", "healthy", "still served"u8.ToArray());
        (string, byte[]) healthy = ("/bucket/healthy", "still served"u8.ToArray());
        byte[] original = stored.Read("bucket", items["victim"]);
        byte[] donor = stored.Read("bucket", items["donor"]);
        const int Stored = 65536 + 16;
        const TamperedRead S = TamperedRead.Served, R = TamperedRead.Refused;

        // What each read must give: the whole object, its segment 1, its last 10 bytes (in segment 3).
        var damages = new List<(string What, byte[] Bytes, TamperedRead[] Expected)>
        {
            ("bit flip in the header", Flip(original, 5), [R, R, R]),
            ("bit flip in segment 0", Flip(original, 16 + 100), [R, S, S]),
            ("bit flip in a tag", Flip(original, 16 + Stored - 1), [R, S, S]),
            ("bit flip in the last segment", Flip(original, original.Length - 20), [R, S, R]),
            ("truncated at a segment boundary", original[..(16 + (3 * Stored))], [R, S, R]),
            ("truncated mid-segment", original[..(16 + Stored + 1000)], [R, R, R]),
            ("segment dropped", [.. original[..(16 + Stored)], .. original[(16 + (2 * Stored))..]], [R, R, R]),
            ("segment duplicated", [.. original[..(16 + (2 * Stored))], .. original[(16 + Stored)..]], [R, S, R]),
            ("segments reordered", [.. original[..16], .. original[(16 + Stored)..(16 + (2 * Stored))], .. original[16..(16 + Stored)], .. original[(16 + (2 * Stored))..]], [R, R, S]),
            ("segment swapped in from another object", [.. original[..(16 + Stored)], .. donor[(16 + Stored)..(16 + (2 * Stored))], .. original[(16 + (2 * Stored))..]], [R, R, S]),
            ("whole file swapped with another object's", donor, [R, R, R]),
        };

        byte[] victim = plaintexts["victim"];
        (string? Range, byte[] Plaintext)[] reads = [(null, victim), ("bytes=65536-131071", victim[65536..131072]), ("bytes=-10", victim[^10..])];
        foreach ((string what, byte[] bytes, TamperedRead[] expected) in damages)
        {
            stored.Write("bucket", items["victim"], bytes);
            for (int i = 0; i < reads.Length; i++)
            {
                await TamperedReads.AssertAsync(server, "/bucket/victim", Headers(reads[i].Range), expected[i], reads[i].Plaintext, healthy, $"{what} ({reads[i].Range ?? "whole"})");
            }
        }

        // Damage in the long object's segment 5 is found after its first batch (segments 0-3) went out.
        byte[] longPlaintext = plaintexts["long"];
        stored.Write("bucket", items["long"], Flip(stored.Read("bucket", items["long"]), 16 + (5 * Stored) + 100));
        await TamperedReads.AssertAsync(server, "/bucket/long", Headers(null), TamperedRead.CutShort, longPlaintext, healthy, "long object, segment 5 (whole)");
        await TamperedReads.AssertAsync(server, "/bucket/long", Headers("bytes=262144-"), R, longPlaintext[262144..], healthy, "long object, segment 5 (from segment 4)");
        await TamperedReads.AssertAsync(server, "/bucket/long", Headers("bytes=-10"), S, longPlaintext[^10..], healthy, "long object, segment 5 (last 10 bytes)");

        // Restored, it reads again; the donor was never affected.
        stored.Write("bucket", items["victim"], original);
        Assert.Equal(victim, (await GetAsync(server, "bucket", "victim", "", Triple())).Body);
        Assert.Equal(plaintexts["donor"], (await GetAsync(server, "bucket", "donor", "", Triple())).Body);
    }

    private static string[] Headers(string? range) => range is null ? Triple() : [.. Triple(), "Range:" + range];

    [Trait("Store", "Disk")]
    [Fact]
    public async Task OneETagEverywhereAndSealedKeysDoNotMoveBetweenObjects()
    {
        string dataDir;
        string certs;
        string body = WriteTemp("same secret words in both objects");
        await using (InProcessServer server = await InProcessServer.StartAsync())
        {
            Uri url = server.BaseUrl;
            Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
            var (_, putOut, _) = await AwsCli.RunWarmAsync(url, ["s3api", "put-object", "--bucket", "bucket", "--key", "one", "--body", body, .. KeyFlags()]);
            Assert.Equal(0, (await AwsCli.RunWarmAsync(url, ["s3api", "put-object", "--bucket", "bucket", "--key", "two", "--body", body, .. KeyFlags()])).ExitCode);
            string etag = JsonDocument.Parse(putOut).RootElement.GetProperty("ETag").GetString()!;

            var (_, headOut, _) = await AwsCli.RunWarmAsync(url, ["s3api", "head-object", "--bucket", "bucket", "--key", "one", .. KeyFlags()]);
            var (_, getOut, _) = await AwsCli.RunWarmAsync(url, ["s3api", "get-object", "--bucket", "bucket", "--key", "one", .. KeyFlags(), "--if-match", etag, Path.Combine(_work, "out")]);
            var (_, listOut, _) = await AwsCli.RunWarmAsync(url, "s3api", "list-objects-v2", "--bucket", "bucket", "--prefix", "one");
            Assert.Equal(etag, JsonDocument.Parse(headOut).RootElement.GetProperty("ETag").GetString());
            Assert.Equal(etag, JsonDocument.Parse(getOut).RootElement.GetProperty("ETag").GetString());
            Assert.Equal(etag, JsonDocument.Parse(listOut).RootElement.GetProperty("Contents")[0].GetProperty("ETag").GetString());
            dataDir = server.DataDir;
            certs = server.CertsDir;
            server.KeepDataDir = true;
        }

        // Swap the two records' sealed keys in the index while the server is down.
        await MoveFieldAsync(dataDir, FastS3.Storage.RecordField.Encryption, swap: true);

        await using InProcessServer restarted = await InProcessServer.StartAsync(certsDir: certs, dataDir: dataDir);
        foreach (string key in new[] { "one", "two" })
        {
            var (exit, _, stderr) = await AwsCli.RunWarmAsync(restarted.BaseUrl, ["s3api", "get-object", "--bucket", "bucket", "--key", key, .. KeyFlags(), Path.Combine(_work, "swapped")]);
            Assert.NotEqual(0, exit);
            Assert.Contains("(AccessDenied)", stderr);
            (exit, _, stderr) = await AwsCli.RunWarmAsync(restarted.BaseUrl, ["s3api", "get-object", "--bucket", "bucket", "--key", key, .. KeyFlags(), "--range", "bytes=0-3", Path.Combine(_work, "swapped")]);
            Assert.NotEqual(0, exit);
            Assert.Contains("(AccessDenied)", stderr);
        }
    }

    /// <summary>
    /// An object's checksum is sealed under its own object key, apart from its metadata: moved to
    /// another object of the same customer key, it does not open, and a read that asks for the
    /// checksum is refused rather than answered with the other object's.
    /// </summary>
    [Trait("Store", "Disk")]
    [Fact]
    public async Task SealedChecksumsDoNotMoveBetweenObjects()
    {
        string dataDir;
        string certs;
        await using (InProcessServer server = await InProcessServer.StartAsync())
        {
            Uri url = server.BaseUrl;
            Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "bucket")).ExitCode);
            foreach (string key in new[] { "one", "two" })
            {
                string body = WriteTemp($"the body of {key}, checksummed by aws-cli");
                Assert.Equal(0, (await AwsCli.RunWarmAsync(url, ["s3api", "put-object", "--bucket", "bucket", "--key", key, "--body", body, "--checksum-algorithm", "CRC32", .. KeyFlags()])).ExitCode);
            }

            dataDir = server.DataDir;
            certs = server.CertsDir;
            server.KeepDataDir = true;
        }

        await MoveFieldAsync(dataDir, FastS3.Storage.RecordField.SealedChecksum, swap: false);

        await using InProcessServer restarted = await InProcessServer.StartAsync(certsDir: certs, dataDir: dataDir);
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(restarted.BaseUrl, ["s3api", "get-object", "--bucket", "bucket", "--key", "one", "--checksum-mode", "ENABLED", .. KeyFlags(), Path.Combine(_work, "moved")]);
        Assert.NotEqual(0, exit);
        Assert.Contains("(InternalError)", stderr);
        (exit, _, stderr) = await AwsCli.RunWarmAsync(restarted.BaseUrl, ["s3api", "get-object", "--bucket", "bucket", "--key", "two", "--checksum-mode", "ENABLED", .. KeyFlags(), Path.Combine(_work, "kept")]);
        Assert.True(exit == 0, stderr);
    }

    /// <summary>
    /// In a stopped server's index (bucket "bucket"), gives object "one" the <paramref name="field"/>
    /// of object "two", and when <paramref name="swap"/> "two" that of "one".
    /// </summary>
    private static async Task MoveFieldAsync(string dataDir, FastS3.Storage.RecordField field, bool swap)
    {
        await using var index = FastS3.Storage.Disk.Index.OrderedIndex.Open(Path.Combine(dataDir, "buckets", "bucket", "index"));
        index.TryGet("one"u8, out byte[]? one);
        index.TryGet("two"u8, out byte[]? two);
        FastS3.Storage.ObjectRecord.TryRead(two, out FastS3.Storage.ObjectRecord donor);
        Assert.False(donor.Field(field).IsEmpty, $"object two has no {field} to move");
        await index.PutAsync("one"u8.ToArray(), WithFieldOf(one!, two!, field));
        if (swap)
        {
            await index.PutAsync("two"u8.ToArray(), WithFieldOf(two!, one!, field));
        }
    }

    /// <summary><paramref name="record"/> with the <paramref name="field"/> of <paramref name="donor"/>.</summary>
    private static byte[] WithFieldOf(byte[] record, byte[] donor, FastS3.Storage.RecordField field)
    {
        FastS3.Storage.ObjectRecord.TryRead(record, out FastS3.Storage.ObjectRecord target);
        FastS3.Storage.ObjectRecord.TryRead(donor, out FastS3.Storage.ObjectRecord source);
        var builder = new FastS3.Storage.ObjectRecord.Builder(target.Flags, target.DataId, target.Size, target.StoredSize, target.LastModified);
        try
        {
            FastS3.Storage.ObjectRecord.FieldEnumerator fields = target.Fields();
            while (fields.MoveNext())
            {
                builder.Add(fields.Tag, fields.Tag == field ? source.Field(field) : fields.Value);
            }

            return builder.Written.ToArray();
        }
        finally
        {
            builder.Dispose();
        }
    }

    private static byte[] Flip(byte[] bytes, int index)
    {
        byte[] copy = [.. bytes];
        copy[index] ^= 0x01;
        return copy;
    }

}
