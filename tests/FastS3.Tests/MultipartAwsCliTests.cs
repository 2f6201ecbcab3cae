using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// Multipart uploads as the real aws-cli does them at its default settings (8 MiB threshold and
/// parts, CRC32 trailers, a COMPOSITE CRC32 declared on CreateMultipartUpload, UploadPartCopy for
/// s3→s3 copies), over HTTPS against one shared server, with and without SSE-C; every byte compared with cmp.
/// <c>aws s3</c> (cp, sync), what these tests prove works, runs as the aws command; the s3api
/// commands around it go through aws-cli's warm driver.
/// </summary>
[RunsLong]
public sealed class MultipartAwsCliTests(MultipartAwsCliTests.Fixture fixture) : IClassFixture<MultipartAwsCliTests.Fixture>
{
    private const int MiB = 1024 * 1024;
    private const string Bucket = "multipart";

    /// <summary>aws-cli's multipart_threshold and multipart_chunksize.</summary>
    private const int PartSize = 8 * MiB;

    private Uri Url => fixture.Server.BaseUrl;

    private string[] SseC => ["--sse-c", "AES256", "--sse-c-key", "fileb://" + fixture.Key];

    private string[] HeadSseC(string key) => ["--sse-customer-algorithm", "AES256", "--sse-customer-key", "fileb://" + key];

    private async Task<string> Aws(params string[] arguments)
    {
        var (exit, stdout, stderr) = await Run(Url, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)} failed ({exit}):\n{stderr}");
        return stdout;
    }

    private async Task AwsFails(string expected, params string[] arguments)
    {
        var (exit, _, stderr) = await Run(Url, arguments);
        Assert.True(exit != 0 && stderr.Contains(expected), $"aws {string.Join(' ', arguments)}: expected a failure with {expected}, got {exit}:\n{stderr}");
    }

    private static Task<(int ExitCode, string Stdout, string Stderr)> Run(Uri url, string[] arguments)
        => arguments[0] == "s3" ? AwsCli.RunAsync(url, arguments) : AwsCli.RunWarmAsync(url, arguments);

    private static async Task AssertSameFile(string expected, string actual)
    {
        var (exit, stdout, stderr) = await Processes.RunAsync("cmp", expected, actual);
        Assert.True(exit == 0, $"cmp {expected} {actual}: {stdout}{stderr}");
    }

    /// <summary>Downloads with `aws s3 cp`, compares with cmp, and removes the copy.</summary>
    private async Task DownloadAndCompare(string s3Uri, Sample sample, params string[] options)
    {
        string back = Path.Combine(fixture.Work, "download-" + Guid.NewGuid().ToString("N"));
        await Aws(["s3", "cp", s3Uri, back, "--only-show-errors", .. options]);
        await AssertSameFile(sample.Path, back);
        File.Delete(back);
    }

    [Fact]
    public async Task CpEverySizeBothWaysPlainAndSseC()
    {
        // One `aws s3 cp --recursive` each way moves all sizes (concurrently, as aws-cli does), each file with its own PUT or multipart upload.
        await fixture.LargeUploaded;
        string samples = Path.GetDirectoryName(fixture.Large.Path)!;
        foreach ((string prefix, string[] sse) in new[] { ("plain", Array.Empty<string>()), ("ssec", SseC) })
        {
            await Aws(["s3", "cp", samples, $"s3://{Bucket}/cp/{prefix}/", "--recursive", "--exclude", fixture.Large.Name, "--only-show-errors", .. sse]);
            string back = Path.Combine(fixture.Work, "cp-" + prefix);
            await Aws(["s3", "cp", $"s3://{Bucket}/cp/{prefix}/", back, "--recursive", "--only-show-errors", .. sse]);
            Assert.Equal(fixture.Samples.Select(s => s.Name).Order(), Directory.EnumerateFiles(back).Select(Path.GetFileName).Order());
            foreach (Sample sample in fixture.Samples)
            {
                await AssertSameFile(sample.Path, Path.Combine(back, sample.Name));
            }

            Directory.Delete(back, recursive: true);
        }

        foreach (Sample sample in fixture.Samples)
        {
            // What HeadObject reports: exact length, "-N" ETags (MD5 of the part MD5s for plain
            // objects), and the CRC32 aws-cli sent: whole for a PUT, COMPOSITE "…-N" for multipart.
            using (JsonDocument head = JsonDocument.Parse(await Aws("s3api", "head-object", "--bucket", Bucket, "--key", $"cp/plain/{sample.Name}", "--checksum-mode", "ENABLED")))
            {
                JsonElement root = head.RootElement;
                Assert.Equal(sample.Size, root.GetProperty("ContentLength").GetInt64());
                Assert.Equal(sample.ETag, root.GetProperty("ETag").GetString());
                Assert.Equal(sample.Crc32, root.GetProperty("ChecksumCRC32").GetString());
                Assert.Equal(sample.Parts == 0 ? "FULL_OBJECT" : "COMPOSITE", root.GetProperty("ChecksumType").GetString());
            }

            using (JsonDocument head = JsonDocument.Parse(await Aws(["s3api", "head-object", "--bucket", Bucket, "--key", $"cp/ssec/{sample.Name}", "--checksum-mode", "ENABLED", .. HeadSseC(fixture.Key)])))
            {
                JsonElement root = head.RootElement;
                Assert.Equal(sample.Size, root.GetProperty("ContentLength").GetInt64());
                string etag = root.GetProperty("ETag").GetString()!;
                Assert.True(sample.Parts == 0 ? !etag.Contains('-') : etag.EndsWith($"-{sample.Parts}\""), $"{sample.Name}: ETag {etag}");
                Assert.NotEqual(sample.ETag, etag);
                Assert.Equal(sample.Crc32, root.GetProperty("ChecksumCRC32").GetString());
                Assert.Equal(sample.Parts == 0 ? "FULL_OBJECT" : "COMPOSITE", root.GetProperty("ChecksumType").GetString());
                Assert.Equal("AES256", root.GetProperty("SSECustomerAlgorithm").GetString());
                Assert.Equal(fixture.KeyMd5, root.GetProperty("SSECustomerKeyMD5").GetString());
            }

            // GET ?partNumber=2 is exactly the second part.
            if (sample.Parts >= 2)
            {
                await AssertSecondPart($"cp/plain/{sample.Name}", sample);
                await AssertSecondPart($"cp/ssec/{sample.Name}", sample, HeadSseC(fixture.Key));
            }
        }

        // Without the key an SSE-C multipart object stays closed.
        await AwsFails("400", "s3api", "head-object", "--bucket", Bucket, "--key", $"cp/ssec/{fixture.Large.Name}");
    }

    private async Task AssertSecondPart(string key, Sample sample, params string[] sse)
    {
        string part = Path.Combine(fixture.Work, "part-" + Guid.NewGuid().ToString("N"));
        using (JsonDocument get = JsonDocument.Parse(await Aws(["s3api", "get-object", "--bucket", Bucket, "--key", key, "--part-number", "2", .. sse, part])))
        {
            long length = Math.Min(PartSize, sample.Size - PartSize);
            Assert.Equal(length, get.RootElement.GetProperty("ContentLength").GetInt64());
            Assert.Equal($"bytes {PartSize}-{PartSize + length - 1}/{sample.Size}", get.RootElement.GetProperty("ContentRange").GetString());
            Assert.Equal(sample.Parts, get.RootElement.GetProperty("PartsCount").GetInt32());
        }

        Assert.Equal(sample.Slice(PartSize, PartSize), File.ReadAllBytes(part));
        File.Delete(part);
    }

    [Fact]
    public async Task CpS3ToS3OfTheLargeObjectPlainAndUnderANewSseCKey()
    {
        await fixture.LargeUploaded;
        Sample large = fixture.Large;

        // SSE-C → SSE-C under another key (UploadPartCopy reads with the source key, writes with the new one).
        await Aws("s3", "cp", $"s3://{Bucket}/cp/ssec/{large.Name}", $"s3://{Bucket}/copy/ssec-{large.Name}", "--only-show-errors",
            "--sse-c-copy-source", "AES256", "--sse-c-copy-source-key", "fileb://" + fixture.Key, "--sse-c", "AES256", "--sse-c-key", "fileb://" + fixture.Key2);
        await DownloadAndCompare($"s3://{Bucket}/copy/ssec-{large.Name}", large, "--sse-c", "AES256", "--sse-c-key", "fileb://" + fixture.Key2);
        using (JsonDocument head = JsonDocument.Parse(await Aws(["s3api", "head-object", "--bucket", Bucket, "--key", $"copy/ssec-{large.Name}", "--checksum-mode", "ENABLED", .. HeadSseC(fixture.Key2)])))
        {
            Assert.Equal(large.Size, head.RootElement.GetProperty("ContentLength").GetInt64());
            Assert.EndsWith($"-{large.Parts}\"", head.RootElement.GetProperty("ETag").GetString());
            Assert.Equal(fixture.Key2Md5, head.RootElement.GetProperty("SSECustomerKeyMD5").GetString());
            AssertReportedChecksums(head.RootElement, large);
        }

        await AwsFails("403", ["s3api", "head-object", "--bucket", Bucket, "--key", $"copy/ssec-{large.Name}", .. HeadSseC(fixture.Key)]);

        // The source still opens with its own key: the copy wrote new parts under the new key, the source kept its own.
        await DownloadAndCompare($"s3://{Bucket}/cp/ssec/{large.Name}", large, SseC);

        // Plain → plain: the copy's parts are the source's 8 MiB parts, so the ETag is the same.
        await Aws("s3", "cp", $"s3://{Bucket}/cp/plain/{large.Name}", $"s3://{Bucket}/copy/plain-{large.Name}", "--only-show-errors");
        await DownloadAndCompare($"s3://{Bucket}/copy/plain-{large.Name}", large);
        using (JsonDocument head = JsonDocument.Parse(await Aws("s3api", "head-object", "--bucket", Bucket, "--key", $"copy/plain-{large.Name}", "--checksum-mode", "ENABLED")))
        {
            Assert.Equal(large.Size, head.RootElement.GetProperty("ContentLength").GetInt64());
            Assert.Equal(large.ETag, head.RootElement.GetProperty("ETag").GetString());
            AssertReportedChecksums(head.RootElement, large);
        }
    }

    /// <summary>Whatever checksum a copy reports (aws-cli declares none for copies) is right for the bytes.</summary>
    private static void AssertReportedChecksums(JsonElement head, Sample sample)
    {
        if (head.TryGetProperty("ChecksumCRC32", out JsonElement crc32))
        {
            Assert.Equal(sample.Crc32, crc32.GetString());
        }

        if (head.TryGetProperty("ChecksumCRC64NVME", out JsonElement crc64))
        {
            Assert.Equal(sample.Crc64Nvme, crc64.GetString());
            Assert.Equal("FULL_OBJECT", head.GetProperty("ChecksumType").GetString());
        }
    }

    [Fact]
    public async Task SyncMixedTreeBothWaysPlainAndSseC()
    {
        string tree = Path.Combine(fixture.Work, "tree");
        (string Name, int Size)[] files = [("empty", 0), ("one", 1), ("docs/five", 5 * MiB), ("docs/deep/nine", 9 * MiB), ("media/deep/er/seventeen", 17 * MiB), ("media/x y.txt", 1000)];
        int seed = 100;
        foreach ((string name, int size) in files)
        {
            Sample.Create(Path.Combine(tree, name), size, seed++);
        }

        foreach ((string prefix, string[] sse) in new[] { ("sync/plain", Array.Empty<string>()), ("sync/ssec", SseC) })
        {
            await Aws(["s3", "sync", tree, $"s3://{Bucket}/{prefix}/", "--only-show-errors", .. sse]);
            string back = Path.Combine(fixture.Work, prefix.Replace('/', '-') + "-back");
            await Aws(["s3", "sync", $"s3://{Bucket}/{prefix}/", back, "--only-show-errors", .. sse]);
            Assert.Equal(files.Select(f => f.Name).Order(), Directory.EnumerateFiles(back, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(back, f)).Order());
            foreach ((string name, _) in files)
            {
                await AssertSameFile(Path.Combine(tree, name), Path.Combine(back, name));
            }

            // The listed sizes of multipart objects are exact, so a second sync has nothing to do.
            Assert.DoesNotContain("upload:", await Aws(["s3", "sync", tree, $"s3://{Bucket}/{prefix}/", "--no-progress", .. sse]));
        }

        await AwsFails("400", "s3api", "head-object", "--bucket", Bucket, "--key", "sync/ssec/media/deep/er/seventeen");
        using JsonDocument head = JsonDocument.Parse(await Aws(["s3api", "head-object", "--bucket", Bucket, "--key", "sync/ssec/media/deep/er/seventeen", .. HeadSseC(fixture.Key)]));
        Assert.EndsWith("-3\"", head.RootElement.GetProperty("ETag").GetString());
    }

    [Fact]
    public async Task S3ApiCreateUploadListAbortAndComplete()
    {
        Sample first = fixture.Samples.Single(s => s.Size == PartSize);
        Sample last = fixture.Samples.Single(s => s.Size == 1);
        string aborted = CreateUpload(await Aws("s3api", "create-multipart-upload", "--bucket", Bucket, "--key", "api/aborted"));
        string completed = CreateUpload(await Aws("s3api", "create-multipart-upload", "--bucket", Bucket, "--key", "api/completed"));

        var etags = new List<string>();
        foreach (string uploadId in new[] { aborted, completed })
        {
            int number = 1;
            foreach (Sample part in new[] { first, last })
            {
                using JsonDocument uploaded = JsonDocument.Parse(await Aws("s3api", "upload-part", "--bucket", Bucket, "--key", uploadId == aborted ? "api/aborted" : "api/completed",
                    "--upload-id", uploadId, "--part-number", (number++).ToString(), "--body", part.Path));
                Assert.Equal(part.WholeMd5ETag, uploaded.RootElement.GetProperty("ETag").GetString());
                Assert.Equal(part.WholeCrc32, uploaded.RootElement.GetProperty("ChecksumCRC32").GetString());
                etags.Add(part.WholeMd5ETag);
            }
        }

        using (JsonDocument parts = JsonDocument.Parse(await Aws("s3api", "list-parts", "--bucket", Bucket, "--key", "api/aborted", "--upload-id", aborted)))
        {
            JsonElement[] listed = [.. parts.RootElement.GetProperty("Parts").EnumerateArray()];
            Assert.Equal([1, 2], listed.Select(p => p.GetProperty("PartNumber").GetInt32()));
            Assert.Equal([first.Size, last.Size], listed.Select(p => p.GetProperty("Size").GetInt64()));
            Assert.Equal([first.WholeMd5ETag, last.WholeMd5ETag], listed.Select(p => p.GetProperty("ETag").GetString()));
            Assert.Equal([first.WholeCrc32, last.WholeCrc32], listed.Select(p => p.GetProperty("ChecksumCRC32").GetString()));
        }

        Assert.Equal([("api/aborted", aborted), ("api/completed", completed)], await ListUploads());

        using (JsonDocument done = JsonDocument.Parse(await Aws("s3api", "complete-multipart-upload", "--bucket", Bucket, "--key", "api/completed", "--upload-id", completed,
            "--multipart-upload", JsonSerializer.Serialize(new { Parts = new[] { new { PartNumber = 1, ETag = etags[2] }, new { PartNumber = 2, ETag = etags[3] } } }))))
        {
            byte[] partMd5s = [.. MD5.HashData(File.ReadAllBytes(first.Path)), .. MD5.HashData(File.ReadAllBytes(last.Path))];
            Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(partMd5s))}-2\"", done.RootElement.GetProperty("ETag").GetString());
        }

        string back = Path.Combine(fixture.Work, "api-completed");
        await Aws("s3", "cp", $"s3://{Bucket}/api/completed", back, "--only-show-errors");
        Assert.Equal([.. File.ReadAllBytes(first.Path), .. File.ReadAllBytes(last.Path)], File.ReadAllBytes(back));
        File.Delete(back);

        await Aws("s3api", "abort-multipart-upload", "--bucket", Bucket, "--key", "api/aborted", "--upload-id", aborted);
        Assert.Empty(await ListUploads());
        await AwsFails("(NoSuchUpload)", "s3api", "list-parts", "--bucket", Bucket, "--key", "api/aborted", "--upload-id", aborted);
        await AwsFails("(NoSuchUpload)", "s3api", "upload-part", "--bucket", Bucket, "--key", "api/aborted", "--upload-id", aborted, "--part-number", "3", "--body", last.Path);
        await AwsFails("(NoSuchUpload)", "s3api", "abort-multipart-upload", "--bucket", Bucket, "--key", "api/aborted", "--upload-id", aborted);
        await AwsFails("(404)", "s3api", "head-object", "--bucket", Bucket, "--key", "api/aborted");

        static string CreateUpload(string stdout)
        {
            using JsonDocument created = JsonDocument.Parse(stdout);
            return created.RootElement.GetProperty("UploadId").GetString()!;
        }
    }

    /// <summary>The bucket's uploads under api/ as (key, upload id), in listing order.</summary>
    private async Task<List<(string, string)>> ListUploads()
    {
        using JsonDocument listing = JsonDocument.Parse(await Aws("s3api", "list-multipart-uploads", "--bucket", Bucket, "--prefix", "api/"));
        return listing.RootElement.TryGetProperty("Uploads", out JsonElement uploads)
            ? [.. uploads.EnumerateArray().Select(u => (u.GetProperty("Key").GetString()!, u.GetProperty("UploadId").GetString()!))]
            : [];
    }

    /// <summary>
    /// A local file of seeded random bytes with what S3 should report for it after `aws s3 cp`:
    /// single PUT below 8 MiB, else 8 MiB parts.
    /// </summary>
    public sealed class Sample
    {
        private Sample(string path, long size)
        {
            Path = path;
            Size = size;
        }

        public string Path { get; }

        public string Name => System.IO.Path.GetFileName(Path);

        public long Size { get; }

        /// <summary>Parts aws-cli uploads it in (0: a single PUT).</summary>
        public int Parts => Size < PartSize ? 0 : (int)((Size + PartSize - 1) / PartSize);

        public string ETag { get; private set; } = "";

        /// <summary>CRC32 as HeadObject reports it: whole-object, or COMPOSITE "base64-N".</summary>
        public string Crc32 { get; private set; } = "";

        public string Crc64Nvme { get; private set; } = "";

        /// <summary>ETag and CRC32 of the whole file sent in one request (a PUT, or an UploadPart).</summary>
        public string WholeMd5ETag { get; private set; } = "";

        public string WholeCrc32 { get; private set; } = "";

        public static Sample Create(string path, long size, int seed)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            var sample = new Sample(path, size);
            var random = new Random(seed);
            byte[] chunk = new byte[PartSize];
            var partMd5s = new List<byte>();
            var partCrcs = new List<byte>();
            var wholeCrc32 = new System.IO.Hashing.Crc32();
            var wholeCrc64 = new Crc64(Crc64ParameterSet.Nvme);
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            using (FileStream file = File.Create(path))
            {
                for (long done = 0; done < size;)
                {
                    int length = (int)Math.Min(PartSize, size - done);
                    Span<byte> part = chunk.AsSpan(0, length);
                    random.NextBytes(part);
                    file.Write(part);
                    partMd5s.AddRange(MD5.HashData(part));
                    partCrcs.AddRange(BigEndian(System.IO.Hashing.Crc32.HashToUInt32(part)));
                    md5.AppendData(part);
                    wholeCrc32.Append(part);
                    wholeCrc64.Append(part);
                    done += length;
                }
            }

            sample.WholeMd5ETag = $"\"{Convert.ToHexStringLower(md5.GetHashAndReset())}\"";
            sample.WholeCrc32 = Convert.ToBase64String(BigEndian(wholeCrc32.GetCurrentHashAsUInt32()));
            if (sample.Parts == 0)
            {
                sample.ETag = sample.WholeMd5ETag;
                sample.Crc32 = sample.WholeCrc32;
            }
            else
            {
                sample.ETag = $"\"{Convert.ToHexStringLower(MD5.HashData(partMd5s.ToArray()))}-{sample.Parts}\"";
                sample.Crc32 = Convert.ToBase64String(BigEndian(System.IO.Hashing.Crc32.HashToUInt32(partCrcs.ToArray()))) + $"-{sample.Parts}";
            }

            byte[] crc64 = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(crc64, wholeCrc64.GetCurrentHashAsUInt64());
            sample.Crc64Nvme = Convert.ToBase64String(crc64);
            return sample;
        }

        public byte[] Slice(long offset, int length)
        {
            using FileStream file = File.OpenRead(Path);
            file.Position = offset;
            byte[] bytes = new byte[Math.Min(length, Size - offset)];
            file.ReadExactly(bytes);
            return bytes;
        }

        private static byte[] BigEndian(uint value)
        {
            byte[] bytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
            return bytes;
        }
    }

    /// <summary>
    /// One server, bucket and set of local files for the class; the 200 MiB file is uploaded (plain
    /// and SSE-C) once, by whichever test needs it first.
    /// </summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private readonly Lazy<Task> _largeUploaded;

        public Fixture()
        {
            _largeUploaded = new Lazy<Task>(UploadLargeAsync);
            Key = Path.Combine(Work, "key1");
            Key2 = Path.Combine(Work, "key2");
        }

        public InProcessServer Server { get; private set; } = null!;

        public string Work { get; } = Directory.CreateTempSubdirectory("fasts3-multipart-awscli-").FullName;

        /// <summary>0 B, 1 B, 8 MiB, 8 MiB + 1, 200 MiB.</summary>
        public Sample[] Samples { get; private set; } = [];

        public Sample Large => Samples[^1];

        /// <summary>Paths of two random 32-byte SSE-C keys, and their base64 MD5s.</summary>
        public string Key { get; }

        public string Key2 { get; }

        public string KeyMd5 => Convert.ToBase64String(MD5.HashData(File.ReadAllBytes(Key)));

        public string Key2Md5 => Convert.ToBase64String(MD5.HashData(File.ReadAllBytes(Key2)));

        public Task LargeUploaded => _largeUploaded.Value;

        public async Task InitializeAsync()
        {
            var random = new Random(20261127);
            foreach (string key in new[] { Key, Key2 })
            {
                byte[] bytes = new byte[32];
                random.NextBytes(bytes);
                File.WriteAllBytes(key, bytes);
            }

            (string Name, long Size)[] sizes = [("0B", 0), ("1B", 1), ("8MiB", PartSize), ("8MiB+1", PartSize + 1), ("200MiB", 200 * MiB)];
            Samples = [.. sizes.Select((s, i) => Sample.Create(Path.Combine(Work, "samples", s.Name), s.Size, seed: i + 1))];

            // The server last, so that a failure before it leaves no process behind.
            Server = await InProcessServer.StartAsync();
            var (exit, _, stderr) = await AwsCli.RunWarmAsync(Server.BaseUrl, "s3api", "create-bucket", "--bucket", Bucket);
            Assert.True(exit == 0, stderr);
        }

        private async Task UploadLargeAsync()
        {
            foreach (string[] sse in new[] { Array.Empty<string>(), ["--sse-c", "AES256", "--sse-c-key", "fileb://" + Key] })
            {
                string prefix = sse.Length == 0 ? "plain" : "ssec";
                var (exit, _, stderr) = await AwsCli.RunAsync(Server.BaseUrl, ["s3", "cp", Large.Path, $"s3://{Bucket}/cp/{prefix}/{Large.Name}", "--only-show-errors", .. sse]);
                Assert.True(exit == 0, $"uploading {Large.Name} ({prefix}) failed:\n{stderr}");
            }
        }

        public async Task DisposeAsync()
        {
            if (Server is not null)
            {
                await Server.DisposeAsync();
            }

            Directory.Delete(Work, recursive: true);
        }
    }
}
