using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// Multipart uploads through AWSSDK.S3: TransferUtility uploads and downloads (plain and SSE-C),
/// a multipart copy under another SSE-C key, GET ?partNumber, and the upload bookkeeping calls.
/// </summary>
[RunsLong]
public sealed class MultipartSdkTests : IDisposable
{
    private const long MiB = 1024 * 1024;
    private const long PartSize = 8 * MiB;
    private const long Large = 200 * MiB;

    private static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private readonly string _work = Directory.CreateTempSubdirectory("fasts3-sdk-mpu-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>What the SDK put on the wire: method, path and query, and every header (request and content).</summary>
    private sealed record SentRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers)
    {
        public bool Has(string header) => Headers.ContainsKey(header);

        public override string ToString() => $"{Method} {PathAndQuery} [{string.Join(", ", Headers.Keys.Order())}]";
    }

    private sealed class Wire
    {
        private readonly ConcurrentQueue<SentRequest> _requests = new();

        public void Observe(HttpRequestMessage request)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            _requests.Enqueue(new SentRequest(request.Method.Method, request.RequestUri!.PathAndQuery, headers));
        }

        public SentRequest[] Take()
        {
            var taken = new List<SentRequest>();
            while (_requests.TryDequeue(out SentRequest? request))
            {
                taken.Add(request);
            }

            return [.. taken];
        }
    }

    private string WriteRandomFile(string name, long size)
    {
        string path = Path.Combine(_work, name);
        using var file = File.Create(path);
        byte[] chunk = new byte[4 * MiB];
        for (long written = 0; written < size; written += chunk.Length)
        {
            RandomNumberGenerator.Fill(chunk);
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, size - written));
        }

        return path;
    }

    /// <summary>Byte-for-byte equality of two files, read in 4 MiB blocks.</summary>
    private static void AssertSameFile(string expected, string actual)
    {
        using var a = File.OpenRead(expected);
        using var b = File.OpenRead(actual);
        Assert.Equal(a.Length, b.Length);
        byte[] x = new byte[4 * MiB], y = new byte[4 * MiB];
        for (long offset = 0; offset < a.Length; offset += x.Length)
        {
            int n = a.ReadAtLeast(x, x.Length, throwOnEndOfStream: false);
            Assert.Equal(n, b.ReadAtLeast(y, y.Length, throwOnEndOfStream: false));
            Assert.True(x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, n)), $"{actual} differs from {expected} in the 4 MiB block at {offset}");
        }
    }

    private static async Task AssertSameStream(string expected, Stream actual)
    {
        using var a = File.OpenRead(expected);
        byte[] x = new byte[4 * MiB], y = new byte[4 * MiB];
        long offset = 0;
        while (true)
        {
            int n = a.ReadAtLeast(x, x.Length, throwOnEndOfStream: false);
            int m = await actual.ReadAtLeastAsync(y, y.Length, throwOnEndOfStream: false);
            Assert.True(n == m && x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, m)), $"stream differs from {expected} in the 4 MiB block at {offset}");
            if (n == 0)
            {
                return;
            }

            offset += n;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TransferUtilityRoundTrips(bool sseC)
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        var wire = new Wire();
        using AmazonS3Client client = SdkClients.Create(server.BaseUrl, wire.Observe);
        await client.PutBucketAsync("transfer");
        using var transfer = new TransferUtility(client, new TransferUtilityConfig { MinSizeBeforePartUpload = PartSize, ConcurrentServiceRequests = 4 });
        string? key = sseC ? KeyA : null;
        foreach (long size in new[] { 0, 1, PartSize, PartSize + 1, Large })
        {
            string source = WriteRandomFile($"source-{size}", size);
            string name = $"objects/{size}.bin";
            var upload = WithKey(new TransferUtilityUploadRequest { BucketName = "transfer", Key = name, FilePath = source, PartSize = PartSize }, key);
            wire.Take();
            try
            {
                await transfer.UploadAsync(upload);
            }
            catch (AmazonS3Exception e)
            {
                Assert.Fail($"upload of {size} B failed: {(int)e.StatusCode} {e.ErrorCode} {e.Message}\nserver log:\n{server.Log}\nrequests sent:\n{string.Join("\n", wire.Take().Select(r => r.ToString()))}");
            }

            SentRequest[] sent = wire.Take();
            bool multipart = size >= PartSize;
            Assert.Equal(multipart, sent.Any(r => r.Method == "POST" && r.PathAndQuery.EndsWith("?uploads", StringComparison.Ordinal)));
            foreach (SentRequest request in sent)
            {
                // Every request of an SSE-C upload carries the whole customer-key triple, Complete too:
                // the upload declared a checksum, so the server needs the key there to combine the parts'.
                bool triple = request.Has("x-amz-server-side-encryption-customer-algorithm") && request.Has("x-amz-server-side-encryption-customer-key") && request.Has("x-amz-server-side-encryption-customer-key-MD5");
                Assert.True(triple == sseC, $"customer-key triple {(sseC ? "missing from" : "sent with")} {request}");
            }

            if (multipart)
            {
                Assert.Single(sent, r => r.Method == "POST" && r.PathAndQuery.Contains("?uploadId=", StringComparison.Ordinal));
            }

            // The SDK declares a full-object CRC32 on CreateMultipartUpload and sends each part's: the
            // server combines them into the whole file's CRC32.
            GetObjectMetadataResponse metadata = await client.GetObjectMetadataAsync(WithKey(new GetObjectMetadataRequest { BucketName = "transfer", Key = name, ChecksumMode = ChecksumMode.ENABLED }, key));
            Assert.Equal(size, metadata.ContentLength);
            Assert.Equal(Crc32Base64(source), metadata.ChecksumCRC32);
            Assert.Equal(ChecksumType.FULL_OBJECT, metadata.ChecksumType);
            if (multipart)
            {
                Assert.EndsWith($"-{(size + PartSize - 1) / PartSize}\"", metadata.ETag);
            }
            else
            {
                Assert.DoesNotContain("-", metadata.ETag);
            }

            // A single GET into a file, with the checksum asked for (the SDK validates the CRC32 it is sent).
            var download = WithKey(new TransferUtilityDownloadRequest { BucketName = "transfer", Key = name, FilePath = Path.Combine(_work, "download"), ChecksumMode = ChecksumMode.ENABLED }, key);
            await transfer.DownloadAsync(download);
            AssertSameFile(source, download.FilePath);

            // Parallel GETs ?partNumber=N along the upload's parts, into a file.
            var parts = WithKey(new TransferUtilityDownloadRequest { BucketName = "transfer", Key = name, FilePath = Path.Combine(_work, "parts"), MultipartDownloadType = MultipartDownloadType.PART }, key);
            wire.Take();
            await transfer.DownloadWithResponseAsync(parts);
            AssertSameFile(source, parts.FilePath);
            int partGets = wire.Take().Count(r => r.Method == "GET" && r.PathAndQuery.Contains("partNumber=", StringComparison.Ordinal));
            Assert.Equal(multipart ? (size + PartSize - 1) / PartSize : 1, partGets);

            // Parallel ranged GETs, as a stream.
            var ranges = WithKey(new TransferUtilityOpenStreamRequest { BucketName = "transfer", Key = name, MultipartDownloadType = MultipartDownloadType.RANGE, PartSize = 5 * MiB }, key);
            using (TransferUtilityOpenStreamResponse opened = await transfer.OpenStreamWithResponseAsync(ranges))
            {
                await AssertSameStream(source, opened.ResponseStream);
            }

            File.Delete(source);
            File.Delete(download.FilePath);
            File.Delete(parts.FilePath);
        }

        // A stream of unknown length always goes multipart (the SDK reads ahead, and folds a short tail into the part before it).
        string streamed = WriteRandomFile("streamed", (3 * PartSize) + 1);
        var fromStream = WithKey(new TransferUtilityUploadRequest { BucketName = "transfer", Key = "streamed", InputStream = new NonSeekable(File.OpenRead(streamed)), PartSize = PartSize }, key);
        await transfer.UploadAsync(fromStream);
        Assert.Matches("-[0-9]+\"$", (await client.GetObjectMetadataAsync(WithKey(new GetObjectMetadataRequest { BucketName = "transfer", Key = "streamed" }, key))).ETag);
        var back = WithKey(new TransferUtilityDownloadRequest { BucketName = "transfer", Key = "streamed", FilePath = Path.Combine(_work, "streamed-back") }, key);
        await transfer.DownloadAsync(back);
        AssertSameFile(streamed, back.FilePath);
    }

    [Fact]
    public async Task MultipartCopyUnderAnotherCustomerKey()
    {
        // The early 200 at once: every copy and Complete answers through the keep-alive path.
        await using InProcessServer server = await InProcessServer.StartAsync(extraArguments: ["--keepalive-after", "0"]);
        using AmazonS3Client client = SdkClients.Create(server.BaseUrl);
        await client.PutBucketAsync("copies");
        using var transfer = new TransferUtility(client, new TransferUtilityConfig { MinSizeBeforePartUpload = PartSize, ConcurrentServiceRequests = 4 });
        string source = WriteRandomFile("source", Large);
        var upload = WithKey(new TransferUtilityUploadRequest { BucketName = "copies", Key = "source", FilePath = source, PartSize = PartSize }, KeyA);
        await transfer.UploadAsync(upload);

        // Parts that straddle the source's 8 MiB parts, copied side by side.
        InitiateMultipartUploadResponse initiated = await client.InitiateMultipartUploadAsync(WithKey(new InitiateMultipartUploadRequest { BucketName = "copies", Key = "copied" }, KeyB));
        const long CopyPartSize = (48 * MiB) + 5;
        var copies = new List<Task<CopyPartResponse>>();
        for (int number = 1; (number - 1) * CopyPartSize < Large; number++)
        {
            long first = (number - 1) * CopyPartSize;
            copies.Add(client.CopyPartAsync(new CopyPartRequest
            {
                SourceBucket = "copies",
                SourceKey = "source",
                DestinationBucket = "copies",
                DestinationKey = "copied",
                UploadId = initiated.UploadId,
                PartNumber = number,
                FirstByte = first,
                LastByte = Math.Min(first + CopyPartSize, Large) - 1,
                CopySourceServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
                CopySourceServerSideEncryptionCustomerProvidedKey = KeyA,
                ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
                ServerSideEncryptionCustomerProvidedKey = KeyB,
            }));
        }

        CopyPartResponse[] copied = await Task.WhenAll(copies);
        Assert.Equal(5, copied.Length);

        // An error found once the early 200 went out comes inside its body: the SDK must still raise it.
        var wrongComplete = WithKey(new CompleteMultipartUploadRequest { BucketName = "copies", Key = "copied", UploadId = initiated.UploadId }, KeyA);
        wrongComplete.AddPartETags(copied);
        var refused = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.CompleteMultipartUploadAsync(wrongComplete));
        Assert.Equal(("AccessDenied", HttpStatusCode.OK), (refused.ErrorCode, refused.StatusCode));

        var complete = WithKey(new CompleteMultipartUploadRequest { BucketName = "copies", Key = "copied", UploadId = initiated.UploadId }, KeyB);
        complete.AddPartETags(copied);
        CompleteMultipartUploadResponse completed = await client.CompleteMultipartUploadAsync(complete);
        Assert.EndsWith("-5\"", completed.ETag);

        var download = WithKey(new TransferUtilityDownloadRequest { BucketName = "copies", Key = "copied", FilePath = Path.Combine(_work, "copied") }, KeyB);
        await transfer.DownloadAsync(download);
        AssertSameFile(source, download.FilePath);
        File.Delete(download.FilePath);

        // The copy answers to its own key only.
        var wrongKey = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectMetadataAsync(WithKey(new GetObjectMetadataRequest { BucketName = "copies", Key = "copied" }, KeyA)));
        Assert.Equal(HttpStatusCode.Forbidden, wrongKey.StatusCode);

        // CopyObject, one request, of the multipart source, re-encrypted under key B.
        CopyObjectResponse single = await client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = "copies",
            SourceKey = "source",
            DestinationBucket = "copies",
            DestinationKey = "single",
            CopySourceServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            CopySourceServerSideEncryptionCustomerProvidedKey = KeyA,
            ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256,
            ServerSideEncryptionCustomerProvidedKey = KeyB,
        });
        Assert.Equal(HttpStatusCode.OK, single.HttpStatusCode);
        download = WithKey(new TransferUtilityDownloadRequest { BucketName = "copies", Key = "single", FilePath = Path.Combine(_work, "single") }, KeyB);
        await transfer.DownloadAsync(download);
        AssertSameFile(source, download.FilePath);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetObjectByPartNumber(bool sseC)
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        using AmazonS3Client client = SdkClients.Create(server.BaseUrl);
        await client.PutBucketAsync("parts");
        string? key = sseC ? KeyA : null;
        byte[][] parts = [RandomNumberGenerator.GetBytes((int)(5 * MiB)), RandomNumberGenerator.GetBytes((int)(7 * MiB) + 3), RandomNumberGenerator.GetBytes(1000)];
        await UploadAsync(client, "parts", "three", parts, key);

        using (GetObjectResponse second = await client.GetObjectAsync(WithKey(new GetObjectRequest { BucketName = "parts", Key = "three", PartNumber = 2 }, key)))
        {
            Assert.Equal(HttpStatusCode.PartialContent, second.HttpStatusCode);
            Assert.Equal(3, second.PartsCount);
            Assert.Equal(parts[1].Length, second.ContentLength);
            Assert.Equal($"bytes {parts[0].Length}-{parts[0].Length + parts[1].Length - 1}/{parts.Sum(p => p.Length)}", second.ContentRange);
            using var body = new MemoryStream();
            await second.ResponseStream.CopyToAsync(body);
            Assert.True(parts[1].AsSpan().SequenceEqual(body.ToArray()), "part 2 differs");
        }

        GetObjectMetadataResponse head = await client.GetObjectMetadataAsync(WithKey(new GetObjectMetadataRequest { BucketName = "parts", Key = "three", PartNumber = 3 }, key));
        Assert.Equal(3, head.PartsCount);
        Assert.Equal(parts[2].Length, head.ContentLength);

        GetObjectMetadataResponse whole = await client.GetObjectMetadataAsync(WithKey(new GetObjectMetadataRequest { BucketName = "parts", Key = "three" }, key));
        Assert.Null(whole.PartsCount);
        Assert.Equal(parts.Sum(p => p.Length), whole.ContentLength);

        var beyond = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectAsync(WithKey(new GetObjectRequest { BucketName = "parts", Key = "three", PartNumber = 4 }, key)));
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
        Assert.Equal("InvalidPartNumber", beyond.ErrorCode);
    }

    [Fact]
    public async Task UploadBookkeepingAndCustomerKeyErrors()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        using AmazonS3Client client = SdkClients.Create(server.BaseUrl);
        await client.PutBucketAsync("uploads");
        string first = (await client.InitiateMultipartUploadAsync("uploads", "dir/a")).UploadId;
        string second = (await client.InitiateMultipartUploadAsync("uploads", "dir/a")).UploadId;
        string encrypted = (await client.InitiateMultipartUploadAsync(WithKey(new InitiateMultipartUploadRequest { BucketName = "uploads", Key = "enc" }, KeyA))).UploadId;

        byte[][] data = [RandomNumberGenerator.GetBytes((int)(5 * MiB)), RandomNumberGenerator.GetBytes(1024), RandomNumberGenerator.GetBytes(10)];
        var etags = new string[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            etags[i] = (await client.UploadPartAsync(new UploadPartRequest { BucketName = "uploads", Key = "dir/a", UploadId = first, PartNumber = i + 1, InputStream = new MemoryStream(data[i]) })).ETag;
            Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(data[i]))}\"", etags[i]);
        }

        // ListParts, two pages.
        ListPartsResponse page = await client.ListPartsAsync(new ListPartsRequest { BucketName = "uploads", Key = "dir/a", UploadId = first, MaxParts = 2 });
        Assert.True(page.IsTruncated);
        Assert.Equal(2, page.NextPartNumberMarker);
        Assert.Equal([1, 2], page.Parts.Select(p => p.PartNumber ?? 0));
        Assert.Equal(etags[..2], page.Parts.Select(p => p.ETag));
        Assert.Equal([data[0].Length, data[1].Length], page.Parts.Select(p => p.Size ?? 0));
        page = await client.ListPartsAsync(new ListPartsRequest { BucketName = "uploads", Key = "dir/a", UploadId = first, PartNumberMarker = "2" });
        Assert.False(page.IsTruncated);
        Assert.Equal(3, Assert.Single(page.Parts).PartNumber);

        // ListMultipartUploads: all three, then folded by a delimiter.
        ListMultipartUploadsResponse uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = "uploads" });
        Assert.Equal(["dir/a", "dir/a", "enc"], uploads.MultipartUploads.Select(u => u.Key));
        Assert.Equal(new[] { first, second }.Order(), uploads.MultipartUploads.Take(2).Select(u => u.UploadId).Order());
        Assert.Equal(encrypted, uploads.MultipartUploads[2].UploadId);
        uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = "uploads", Delimiter = "/" });
        Assert.Equal(["dir/"], uploads.CommonPrefixes);
        Assert.Equal("enc", Assert.Single(uploads.MultipartUploads).Key);

        // The SSE-C upload: a wrong key is 403 AccessDenied, none is 400 InvalidRequest, the right one works.
        UploadPartRequest Part(string? customerKey) => WithKey(new UploadPartRequest { BucketName = "uploads", Key = "enc", UploadId = encrypted, PartNumber = 1, InputStream = new MemoryStream(data[1]) }, customerKey);
        var wrong = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.UploadPartAsync(Part(KeyB)));
        Assert.Equal((HttpStatusCode.Forbidden, "AccessDenied"), (wrong.StatusCode, wrong.ErrorCode));
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.UploadPartAsync(Part(null)));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequest"), (missing.StatusCode, missing.ErrorCode));
        UploadPartResponse part = await client.UploadPartAsync(Part(KeyA));

        // ... and a key on a part of a plain upload is refused.
        var unexpected = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.UploadPartAsync(WithKey(new UploadPartRequest { BucketName = "uploads", Key = "dir/a", UploadId = second, PartNumber = 1, InputStream = new MemoryStream(data[1]) }, KeyA)));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequest"), (unexpected.StatusCode, unexpected.ErrorCode));

        // Complete of the SSE-C upload: the algorithm alone is refused (what TransferUtility sent before it
        // forwarded the key), as is another key; with no key at all it completes, as on S3, since the upload
        // declared no checksum that would need it.
        var complete = new CompleteMultipartUploadRequest { BucketName = "uploads", Key = "enc", UploadId = encrypted, SSECustomerAlgorithm = "AES256" };
        complete.AddPartETags(part);
        var algorithmOnly = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.CompleteMultipartUploadAsync(complete));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidArgument"), (algorithmOnly.StatusCode, algorithmOnly.ErrorCode));
        complete.SSECustomerKey = KeyB;
        complete.SSECustomerKeyMD5 = KeyMd5(KeyB);
        var otherKey = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.CompleteMultipartUploadAsync(complete));
        Assert.Equal((HttpStatusCode.Forbidden, "AccessDenied"), (otherKey.StatusCode, otherKey.ErrorCode));
        complete = new CompleteMultipartUploadRequest { BucketName = "uploads", Key = "enc", UploadId = encrypted };
        complete.AddPartETags(part);
        await client.CompleteMultipartUploadAsync(complete);
        using (GetObjectResponse get = await client.GetObjectAsync(WithKey(new GetObjectRequest { BucketName = "uploads", Key = "enc" }, KeyA)))
        {
            using var body = new MemoryStream();
            await get.ResponseStream.CopyToAsync(body);
            Assert.Equal(data[1], body.ToArray());
        }

        // Abort: the upload and its parts are gone.
        AbortMultipartUploadResponse aborted = await client.AbortMultipartUploadAsync("uploads", "dir/a", first);
        Assert.Equal(HttpStatusCode.NoContent, aborted.HttpStatusCode);
        var gone = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.ListPartsAsync("uploads", "dir/a", first));
        Assert.Equal((HttpStatusCode.NotFound, "NoSuchUpload"), (gone.StatusCode, gone.ErrorCode));
        gone = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.AbortMultipartUploadAsync("uploads", "dir/a", first));
        Assert.Equal((HttpStatusCode.NotFound, "NoSuchUpload"), (gone.StatusCode, gone.ErrorCode));
        uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = "uploads" });
        Assert.Equal(second, Assert.Single(uploads.MultipartUploads).UploadId);

        // TransferUtility's clean-up: every upload initiated before the date is aborted.
        using var transfer = new TransferUtility(client);
        await transfer.AbortMultipartUploadsAsync("uploads", DateTime.UtcNow.AddMinutes(1));
        Assert.Empty((await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = "uploads" })).MultipartUploads ?? []);
    }

    /// <summary>A file's CRC32 as S3 headers carry it: big-endian, base64.</summary>
    private static string Crc32Base64(string path)
    {
        var crc = new System.IO.Hashing.Crc32();
        using (var file = File.OpenRead(path))
        {
            crc.Append(file);
        }

        byte[] value = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(value, crc.GetCurrentHashAsUInt32());
        return Convert.ToBase64String(value);
    }

    private static string KeyMd5(string key) => Convert.ToBase64String(MD5.HashData(Convert.FromBase64String(key)));

    /// <summary>Sets the customer key (with AES256) on any of the requests these tests send; none when <paramref name="key"/> is null.</summary>
    private static T WithKey<T>(T request, string? key)
        where T : class
    {
        if (key is null)
        {
            return request;
        }

        switch (request)
        {
            case TransferUtilityUploadRequest upload:
                upload.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
                upload.ServerSideEncryptionCustomerProvidedKey = key;
                break;
            case BaseDownloadRequest download:
                download.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
                download.ServerSideEncryptionCustomerProvidedKey = key;
                break;
            case GetObjectRequest get:
                get.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
                get.ServerSideEncryptionCustomerProvidedKey = key;
                break;
            case GetObjectMetadataRequest head:
                head.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
                head.ServerSideEncryptionCustomerProvidedKey = key;
                break;
            case InitiateMultipartUploadRequest initiate:
                initiate.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
                initiate.ServerSideEncryptionCustomerProvidedKey = key;
                break;
            case UploadPartRequest part:
                part.ServerSideEncryptionCustomerMethod = ServerSideEncryptionCustomerMethod.AES256;
                part.ServerSideEncryptionCustomerProvidedKey = key;
                break;
            case CompleteMultipartUploadRequest complete:
                complete.SSECustomerAlgorithm = "AES256";
                complete.SSECustomerKey = key;
                complete.SSECustomerKeyMD5 = KeyMd5(key);
                break;
            default:
                throw new ArgumentException($"no customer key on {typeof(T).Name}");
        }

        return request;
    }

    /// <summary>A multipart upload of <paramref name="parts"/> through the low-level calls, under the customer key when given.</summary>
    private static async Task UploadAsync(AmazonS3Client client, string bucket, string key, byte[][] parts, string? customerKey)
    {
        string uploadId = (await client.InitiateMultipartUploadAsync(WithKey(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key }, customerKey))).UploadId;
        var complete = WithKey(new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, customerKey);
        for (int i = 0; i < parts.Length; i++)
        {
            complete.AddPartETags(await client.UploadPartAsync(WithKey(new UploadPartRequest { BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = i + 1, InputStream = new MemoryStream(parts[i]) }, customerKey)));
        }

        await client.CompleteMultipartUploadAsync(complete);
    }

    /// <summary>A read-only stream that cannot seek nor tell its length, as a network stream.</summary>
    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
