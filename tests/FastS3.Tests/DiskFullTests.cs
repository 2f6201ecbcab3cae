using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using Xunit.Abstractions;

namespace FastS3.Tests;

/// <summary>
/// The real server with DATA_DIR on a 64 MiB tmpfs that fills up for real (needs root to mount it;
/// see <see cref="TmpfsMount"/>), through AWSSDK.S3. The data files are counted against the objects
/// and uploads after every step, and every object a client was told is stored must read back whole.
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output)
{
    private const string Bucket = "full";
    private const int KiB = 1024;
    private const int MiB = 1024 * KiB;
    private const int PartSize = 5 * MiB;

    /// <summary>
    /// The objects that fill the index's log last. Once one is refused, so is any write whose index
    /// record is bigger (the inline samples below): smaller ones may still fit in room the log had
    /// reserved before the disk filled up.
    /// </summary>
    private const int InlineFillSize = 20 * KiB;

    /// <summary>Inline samples: under the 32 KiB inline limit (stored, for SSE-C), so they live in the WAL and the memtable.</summary>
    private const int InlineSize = 30 * KiB;
    private const int InlineSseCSize = 28 * KiB;

    private readonly CustomerKeys _customerKeys = new(2);

    /// <summary>Every object a client was told is stored: its bytes and customer key (index, or null).</summary>
    private readonly Dictionary<string, (byte[] Data, int? CustomerKey)> _stored = [];

    /// <summary>The x-amz-content-sha256 of every request sent, to show aws-chunked uploads were among them.</summary>
    private readonly HashSet<string> _payloadModes = [];

    private int _serial;

    /// <summary>A client at the SDK's default checksum setting: its uploads are aws-chunked with a trailing checksum.</summary>
    private AmazonS3Client _chunked = null!;

    /// <summary>
    /// While the disk is full every kind of write (single PUT of a file-backed and of an inline object,
    /// SSE-C, aws-chunked, CopyObject, key rotation, UploadPart, UploadPartCopy, Complete, CreateBucket)
    /// is refused with 507 XMinioStorageFull and leaves nothing behind, the server goes on serving every
    /// stored object, a restart works, and DELETE and Abort still work (the index keeps room for them).
    /// Once space is back, writes of every kind work again and a restart finds everything acknowledged.
    /// </summary>
    [RootFact]
    public async Task AFullDiskRefusesEveryWriteCleanlyAndTheServerRecovers()
    {
        await using TmpfsMount disk = await TmpfsMount.MountAsync("64m");
        await RunAsync(disk, async (server, client) =>
        {
            await client.PutBucketAsync(Bucket);
            Samples samples = await StoreOneOfEachAsync(client);
            await OpenUploadAsync(client, "to-abort", partSize: MiB);
            (string key, string uploadId, PartETag part) = await OpenUploadAsync(client, "open", partSize: PartSize);

            // File-backed objects until one is refused, then inline ones (WAL appends) until one is too;
            // the filler takes what is left.
            int files = await FillAsync(client, MiB);
            int inline = await FillAsync(client, InlineFillSize);
            long filler = disk.Fill("filler");
            output.WriteLine($"filled with {files} 1 MiB and {inline} {InlineFillSize / KiB} KiB objects, then {filler} bytes; {disk.FreeBytes} bytes free");

            await AssertEveryWriteRefusedAsync(client, samples, key, uploadId, part);
            await BucketContents.AssertDataItemsAsync(client, StoredData.OnDisk(server.DataDir), Bucket, "with the disk full");
            await AssertStoredAsync(client);
        });

        // A restart on the full disk serves everything, and deletes and aborts work there.
        await RunAsync(disk, async (server, client) =>
        {
            await AssertStoredAsync(client);
            await DeleteAsync(client, _stored.Keys.First(k => k.StartsWith("fill/", StringComparison.Ordinal) && _stored[k].Data.Length == InlineFillSize));
            (string abortKey, string abortId) = (await BucketContents.ListUploadsAsync(client, Bucket)).Single(u => u.Key == "to-abort");
            Assert.Equal(HttpStatusCode.NoContent, (await client.AbortMultipartUploadAsync(Bucket, abortKey, abortId)).HttpStatusCode);
            await DeleteAsync(client, _stored.Keys.First(k => k.StartsWith("fill/", StringComparison.Ordinal) && _stored[k].Data.Length == MiB));
            await BucketContents.AssertDataItemsAsync(client, StoredData.OnDisk(server.DataDir), Bucket, "after deleting on the full disk");

            // Space back (the filler goes, and some objects): every kind of write works again.
            File.Delete(Path.Combine(disk.Path, "filler"));
            foreach (string key in _stored.Keys.Where(k => k.StartsWith("fill/", StringComparison.Ordinal) && _stored[k].Data.Length == MiB).Take(24).ToList())
            {
                await DeleteAsync(client, key);
            }

            (string key2, string uploadId) = (await BucketContents.ListUploadsAsync(client, Bucket)).Single(u => u.Key == "open");
            List<PartDetail> parts = await BucketContents.ListPartsAsync(client, Bucket, key2, uploadId);
            await CompleteAsync(client, key2, uploadId, [.. parts.Select(p => new PartETag(p.PartNumber!.Value, p.ETag))], customerKey: 0, _openUploads[uploadId]);
            await StoreOneOfEachAsync(client);
            await BucketContents.AssertDataItemsAsync(client, StoredData.OnDisk(server.DataDir), Bucket, "after space came back");
            await AssertStoredAsync(client);
        });

        await RunAsync(disk, async (server, client) =>
        {
            await AssertStoredAsync(client);
            await BucketContents.AssertDataItemsAsync(client, StoredData.OnDisk(server.DataDir), Bucket, "after a restart");
            Assert.Empty(await BucketContents.ListUploadsAsync(client, Bucket));
        });

        Assert.Contains(_payloadModes, mode => mode.StartsWith("STREAMING-", StringComparison.Ordinal));
    }

    /// <summary>
    /// The objects' index fills its memtable with inline objects on a nearly full disk, so the flush
    /// that follows finds no room for its table. The bucket goes on (reads, deletes, writes while room
    /// lasts, 507 after), a restart in that state loses nothing, and the flush goes through once space
    /// is back.
    /// </summary>
    [RootFact]
    public async Task AFlushTheFullDiskHoldsUpLosesNothingAndCatchesUp()
    {
        long memtableSize = new FastS3.Storage.Disk.Index.OrderedIndexOptions().MemtableSize;
        await using TmpfsMount disk = await TmpfsMount.MountAsync("64m");
        await RunAsync(disk, async (server, client) =>
        {
            await client.PutBucketAsync(Bucket);

            // Inline objects until the memtable is nearly full (its log's length tells), file-backed
            // ones until about a MiB is left (too little for the table), inline ones until it is frozen.
            for (int i = 0; i < 1000; i++)
            {
                await PutAsync(client, "inline", InlineSize);
                if (IndexFiles(server, ".wal").Sum(f => new FileInfo(f).Length) >= memtableSize - (256 * KiB))
                {
                    break;
                }
            }

            for (int i = 0; i < 64 && disk.FreeBytes > 3 * MiB / 2; i++)
            {
                await PutAsync(client, "file", MiB);
            }

            for (int i = 0; i < 100 && IndexFiles(server, ".wal").Length < 2; i++)
            {
                await PutAsync(client, "inline", InlineSize);
            }

            Assert.Equal(2, IndexFiles(server, ".wal").Length);
            await Task.Delay(2500);
            Assert.True(IndexFiles(server, ".wal").Length == 2 && IndexFiles(server, ".tbl").Length == 0, $"the flush went through, or left a table behind, with {disk.FreeBytes} bytes free");

            await AssertStoredAsync(client);
            await DeleteAsync(client, _stored.Keys.First(k => k.StartsWith("inline/", StringComparison.Ordinal)));
            await FillAsync(client, InlineFillSize);
            await AssertStoredAsync(client);
        });

        await RunAsync(disk, async (server, client) =>
        {
            await AssertStoredAsync(client);
            foreach (string key in _stored.Keys.Where(k => k.StartsWith("file/", StringComparison.Ordinal)).ToList())
            {
                await DeleteAsync(client, key);
            }

            // The flush tries again every second or so.
            for (int i = 0; i < 150 && !(IndexFiles(server, ".tbl").Length == 1 && IndexFiles(server, ".wal").Length == 1); i++)
            {
                await Task.Delay(100);
            }

            Assert.True(IndexFiles(server, ".tbl").Length == 1 && IndexFiles(server, ".wal").Length == 1, "the flush did not go through once space was back");
            await AssertStoredAsync(client);
            await PutAsync(client, "inline", InlineSize);
            await BucketContents.AssertDataItemsAsync(client, StoredData.OnDisk(server.DataDir), Bucket, "after the flush");
        });

        await RunAsync(disk, (_, client) => AssertStoredAsync(client));
    }

    private static string[] IndexFiles(ServerProcess server, string extension)
        => Directory.GetFiles(Path.Combine(server.DataDir, "buckets", Bucket, "index"), "*" + extension);

    /// <summary>Starts the server on the mount's DATA_DIR, runs <paramref name="body"/> against it, and stops it (SIGTERM).</summary>
    private async Task RunAsync(TmpfsMount disk, Func<ServerProcess, AmazonS3Client, Task> body)
    {
        string certs = Directory.CreateTempSubdirectory("fasts3-certs-").FullName;
        try
        {
            ServerProcess server = await ServerProcess.StartAsync(dataDir: Path.Combine(disk.Path, "data"), certsDir: Path.Combine(certs, "certs"));
            server.KeepDataDir = true;
            await using (server)
            {
                using AmazonS3Client client = SdkClients.Create(server.BaseUrl, ObservePayload, config => config.RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED);
                using AmazonS3Client chunked = SdkClients.Create(server.BaseUrl, ObservePayload);
                _chunked = chunked;
                try
                {
                    await body(server, client);
                }
                catch
                {
                    output.WriteLine(server.Log);
                    throw;
                }

                Assert.Equal(0, await server.StopAsync());
            }
        }
        finally
        {
            Directory.Delete(certs, recursive: true);
        }
    }

    private void ObservePayload(HttpRequestMessage request)
    {
        if (request.Headers.TryGetValues("x-amz-content-sha256", out IEnumerable<string>? values))
        {
            lock (_payloadModes)
            {
                _payloadModes.UnionWith(values.Select(v => v.Length == 64 ? "sha256" : v));
            }
        }
    }

    /// <summary>The first object of each kind, sources for the writes tried on the full disk.</summary>
    private sealed record Samples(string Inline, string InlineSseC, string File, string FileSseC);

    /// <summary>One object of every kind: inline and file-backed, plain and SSE-C, aws-chunked, multipart, a copy of each kind of source, a key rotation.</summary>
    private async Task<Samples> StoreOneOfEachAsync(AmazonS3Client client)
    {
        var samples = new Samples(
            await PutAsync(client, "inline", InlineSize),
            await PutAsync(client, "inline-ssec", InlineSseCSize, customerKey: 0),
            await PutAsync(client, "file", 3 * MiB, chunked: true),
            await PutAsync(client, "file-ssec", MiB, customerKey: 1));
        string multipart = await MultipartAsync(client, "multipart", [PartSize, MiB], customerKey: null);
        await CopyAsync(client, samples.Inline, NewKey("copy"), sourceKey: null, customerKey: null);
        await CopyAsync(client, samples.File, NewKey("copy"), sourceKey: null, customerKey: 0);
        await CopyAsync(client, samples.FileSseC, NewKey("copy"), sourceKey: 1, customerKey: 0);
        await CopyAsync(client, samples.InlineSseC, NewKey("copy"), sourceKey: 0, customerKey: null);
        await CopyAsync(client, multipart, NewKey("copy"), sourceKey: null, customerKey: null);
        string rotated = await PutAsync(client, "rotated", 100 * KiB, customerKey: 0);
        await CopyAsync(client, rotated, rotated, sourceKey: 0, customerKey: 1);
        return samples;
    }

    /// <summary>Stores objects of <paramref name="size"/> until the server refuses one (it must say the disk is full); returns how many it took.</summary>
    private async Task<int> FillAsync(AmazonS3Client client, int size)
    {
        for (int count = 0; count < 64 * MiB / size + 100; count++)
        {
            try
            {
                await PutAsync(client, "fill", size);
            }
            catch (AmazonS3Exception refused) when (refused.StatusCode == (HttpStatusCode)507)
            {
                AssertFull("filling", refused);
                return count;
            }
        }

        throw new InvalidOperationException($"64 MiB took objects of {size} bytes without end");
    }

    /// <summary>
    /// Each kind of write, on the full disk: 507 XMinioStorageFull, and the server goes on. Not in
    /// the list: CreateMultipartUpload, whose small record may still fit in room its index reserved.
    /// </summary>
    private async Task AssertEveryWriteRefusedAsync(AmazonS3Client client, Samples samples, string key, string uploadId, PartETag part)
    {
        var writes = new (string What, Func<Task> Write)[]
        {
            ("PUT of 1 MiB", () => PutAsync(client, "refused", MiB)),
            ("PUT of an inline object", () => PutAsync(client, "refused", InlineSize)),
            ("aws-chunked PUT", () => PutAsync(client, "refused", 200 * KiB, chunked: true)),
            ("SSE-C PUT", () => PutAsync(client, "refused", 2 * MiB, customerKey: 0)),
            ("SSE-C PUT of an inline object", () => PutAsync(client, "refused", InlineSseCSize, customerKey: 1)),
            ("CopyObject", () => CopyAsync(client, samples.File, "refused", sourceKey: null, customerKey: null)),
            ("CopyObject of an inline object", () => CopyAsync(client, samples.Inline, "refused", sourceKey: null, customerKey: null)),
            ("SSE-C CopyObject", () => CopyAsync(client, samples.FileSseC, "refused", sourceKey: 1, customerKey: 0)),
            ("key rotation of an inline object", () => CopyAsync(client, samples.InlineSseC, samples.InlineSseC, sourceKey: 0, customerKey: 1)),
            ("UploadPart", () => UploadPartAsync(client, key, uploadId, 2, RandomNumberGenerator.GetBytes(MiB), customerKey: 0)),
            ("UploadPartCopy", () => client.CopyPartAsync(new CopyPartRequest
            {
                SourceBucket = Bucket,
                SourceKey = samples.File,
                DestinationBucket = Bucket,
                DestinationKey = key,
                UploadId = uploadId,
                PartNumber = 3,
                ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
                ServerSideEncryptionCustomerProvidedKey = _customerKeys.Base64(0),
            })),
            ("CompleteMultipartUpload", () => CompleteAsync(client, key, uploadId, [part], customerKey: 0, expected: null)),
            ("CreateBucket", () => client.PutBucketAsync("refused")),
        };

        foreach ((string what, Func<Task> write) in writes)
        {
            AssertFull(what, await Assert.ThrowsAnyAsync<AmazonS3Exception>(write));
            await client.GetObjectMetadataAsync(Bucket, samples.Inline);
        }

        Assert.DoesNotContain("refused", (await BucketContents.ListObjectsAsync(client, Bucket)).Select(o => o.Key));
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetBucketLocationAsync("refused"))).StatusCode);
        Assert.Equal([1], (await BucketContents.ListPartsAsync(client, Bucket, key, uploadId)).Select(p => p.PartNumber ?? 0));
    }

    private static void AssertFull(string what, AmazonS3Exception refused)
        => Assert.True(
            refused.StatusCode == (HttpStatusCode)507 && refused.ErrorCode == "XMinioStorageFull",
            $"{what}: expected 507 XMinioStorageFull, got {(int)refused.StatusCode} {refused.ErrorCode}: {refused.Message}");

    /// <summary>Every object a client was told is stored reads back byte for byte.</summary>
    private async Task AssertStoredAsync(AmazonS3Client client)
    {
        foreach ((string key, (byte[] data, int? customerKey)) in _stored)
        {
            var request = new GetObjectRequest { BucketName = Bucket, Key = key };
            _customerKeys.Set(customerKey, (m, k) => (request.ServerSideEncryptionCustomerMethod, request.ServerSideEncryptionCustomerProvidedKey) = (m, k));
            using GetObjectResponse response = await client.GetObjectAsync(request);
            using var body = new MemoryStream();
            await response.ResponseStream.CopyToAsync(body);
            Assert.True(data.AsSpan().SequenceEqual(body.ToArray()), $"{key}: {body.Length} bytes differ from the {data.Length} stored");
        }

        Assert.Equal(_stored.Keys.Order(StringComparer.Ordinal), (await BucketContents.ListObjectsAsync(client, Bucket)).Select(o => o.Key));
    }

    // ---- Writes, each recorded in _stored once acknowledged ----------------------------------

    private string NewKey(string prefix) => $"{prefix}/{Interlocked.Increment(ref _serial):D4}";

    private async Task DeleteAsync(AmazonS3Client client, string key)
    {
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteObjectAsync(Bucket, key)).HttpStatusCode);
        _stored.Remove(key);
    }

    private async Task<string> PutAsync(AmazonS3Client client, string key, int size, int? customerKey = null, bool chunked = false)
    {
        key = key is "refused" ? key : NewKey(key);
        byte[] data = RandomNumberGenerator.GetBytes(size);
        var request = new PutObjectRequest { BucketName = Bucket, Key = key, InputStream = new MemoryStream(data) };
        _customerKeys.Set(customerKey, (m, k) => (request.ServerSideEncryptionCustomerMethod, request.ServerSideEncryptionCustomerProvidedKey) = (m, k));
        if (chunked)
        {
            request.ChecksumAlgorithm = ChecksumAlgorithm.CRC32C;
        }

        await (chunked ? _chunked : client).PutObjectAsync(request);
        _stored[key] = (data, customerKey);
        return key;
    }

    private async Task CopyAsync(AmazonS3Client client, string source, string destination, int? sourceKey, int? customerKey)
    {
        var request = new CopyObjectRequest { SourceBucket = Bucket, SourceKey = source, DestinationBucket = Bucket, DestinationKey = destination };
        _customerKeys.Set(sourceKey, (m, k) => (request.CopySourceServerSideEncryptionCustomerMethod, request.CopySourceServerSideEncryptionCustomerProvidedKey) = (m, k));
        _customerKeys.Set(customerKey, (m, k) => (request.ServerSideEncryptionCustomerMethod, request.ServerSideEncryptionCustomerProvidedKey) = (m, k));
        await client.CopyObjectAsync(request);
        _stored[destination] = (_stored[source].Data, customerKey);
    }

    /// <summary>The open uploads' part 1, by upload id: what completing them stores.</summary>
    private readonly Dictionary<string, byte[]> _openUploads = [];

    /// <summary>Creates an SSE-C upload and sends its part 1; the upload stays open.</summary>
    private async Task<(string Key, string UploadId, PartETag Part)> OpenUploadAsync(AmazonS3Client client, string key, int partSize)
    {
        var initiate = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key };
        _customerKeys.Set(0, (m, k) => (initiate.ServerSideEncryptionCustomerMethod, initiate.ServerSideEncryptionCustomerProvidedKey) = (m, k));
        string uploadId = (await client.InitiateMultipartUploadAsync(initiate)).UploadId;
        byte[] data = RandomNumberGenerator.GetBytes(partSize);
        PartETag part = await UploadPartAsync(client, key, uploadId, 1, data, customerKey: 0);
        _openUploads[uploadId] = data;
        return (key, uploadId, part);
    }

    private async Task<string> MultipartAsync(AmazonS3Client client, string key, int[] partSizes, int? customerKey)
    {
        key = NewKey(key);
        var initiate = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = key };
        _customerKeys.Set(customerKey, (m, k) => (initiate.ServerSideEncryptionCustomerMethod, initiate.ServerSideEncryptionCustomerProvidedKey) = (m, k));
        string uploadId = (await client.InitiateMultipartUploadAsync(initiate)).UploadId;
        byte[][] parts = [.. partSizes.Select(RandomNumberGenerator.GetBytes)];
        var etags = new List<PartETag>();
        for (int i = 0; i < parts.Length; i++)
        {
            etags.Add(await UploadPartAsync(client, key, uploadId, i + 1, parts[i], customerKey));
        }

        await CompleteAsync(client, key, uploadId, etags, customerKey, [.. parts.SelectMany(p => p)]);
        return key;
    }

    private async Task<PartETag> UploadPartAsync(AmazonS3Client client, string key, string uploadId, int number, byte[] data, int? customerKey)
    {
        var request = new UploadPartRequest { BucketName = Bucket, Key = key, UploadId = uploadId, PartNumber = number, InputStream = new MemoryStream(data) };
        _customerKeys.Set(customerKey, (m, k) => (request.ServerSideEncryptionCustomerMethod, request.ServerSideEncryptionCustomerProvidedKey) = (m, k));
        return new PartETag(number, (await client.UploadPartAsync(request)).ETag);
    }

    /// <summary>Completes the upload with <paramref name="parts"/>; once acknowledged the key holds <paramref name="expected"/> (when given).</summary>
    private async Task CompleteAsync(AmazonS3Client client, string key, string uploadId, List<PartETag> parts, int? customerKey, byte[]? expected)
    {
        var request = new CompleteMultipartUploadRequest { BucketName = Bucket, Key = key, UploadId = uploadId, PartETags = parts };
        if (customerKey is int index)
        {
            request.SSECustomerAlgorithm = "AES256";
            request.SSECustomerKey = _customerKeys.Base64(index);
            request.SSECustomerKeyMD5 = _customerKeys.Md5(index);
        }

        await client.CompleteMultipartUploadAsync(request);
        if (expected is not null)
        {
            _stored[key] = (expected, customerKey);
        }
    }
}
