using System.Security.Cryptography;
using FastS3.Basics;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// A Complete sent again after it succeeded, as an SDK resends one whose answer it lost: the same
/// 200 and body as the first time (ETag, Location, Bucket, Key, checksum) for the same part list,
/// however the object changed since and across a restart, while the upload is gone for every other
/// request; another part list is InvalidPart. SSE-C uploads check the key again.
/// </summary>
public sealed class MultipartCompleteRetryTests
{
    private const int MinPart = MultipartErrorTests.MinPart;
    private static readonly string[] Key = SseCTests.Triple();
    private static readonly string[] WrongKey = SseCTests.Triple(SseCTests.OtherKey, SseCTests.OtherKeyMd5);

    [Trait("Store", "Disk")]
    [Fact]
    public async Task ACompleteSentAgainGetsTheFirstAnswer()
    {
        InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        string uploadId = await CreateAsync(server, "bucket", "k");
        byte[] one = RandomNumberGenerator.GetBytes(MinPart);
        byte[] two = RandomNumberGenerator.GetBytes(1000);
        Part[] parts = [new(1, await UploadPartAsync(server, "bucket", "k", uploadId, 1, one)), new(2, await UploadPartAsync(server, "bucket", "k", uploadId, 2, two))];
        await UploadPartAsync(server, "bucket", "k", uploadId, 3, two);

        RawResponse first = await CompleteAsync(server, "bucket", "k", uploadId, parts);
        S3Assert.Status(first, 200);
        Assert.Equal("FULL_OBJECT", first.XmlValue("ChecksumType"));
        Assert.Equal(MultipartUploadChecksumTests.Crc64Nvme([.. one, .. two]), first.XmlValue("ChecksumCRC64NVME"));

        // The same document, but for the Location of a server restarted on another port.
        string firstAuthority = server.BaseUrl.Authority;
        async Task AnsweredAgain(string when, IEnumerable<Part> list, params string[] headers)
        {
            RawResponse again = await CompleteAsync(server, "bucket", "k", uploadId, list, headers);
            string expected = first.BodyText.Replace(firstAuthority, server.BaseUrl.Authority, StringComparison.Ordinal);
            Assert.True(again.Status == 200 && again.BodyText == expected, $"{when}: expected {expected}, got {again.Describe()}");
        }

        await AnsweredAgain("sent again", parts);
        await AnsweredAgain("ETags unquoted, in upper case", parts.Select(part => part with { ETag = part.ETag.Trim('"').ToUpperInvariant() }));
        await AnsweredAgain("with the conditions it no longer meets", parts, "If-None-Match:*");
        await AnsweredAgain("with the checksum it has", parts, $"x-amz-checksum-crc64nvme:{first.XmlValue("ChecksumCRC64NVME")}");
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, parts, $"x-amz-checksum-crc64nvme:{MultipartUploadChecksumTests.Crc64Nvme(one)}"), 400, "BadDigest");
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, parts[..1]), 400, "InvalidPart");
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, [parts[0], parts[1] with { Number = 3 }]), 400, "InvalidPart");
        S3Assert.Error(await CompleteAsync(server, "bucket", "other", uploadId, parts), 404, "NoSuchUpload");
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, parts, Key), 400, "InvalidRequest");

        // For everything else the upload is gone, and nothing of it lists.
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", one), 404, "NoSuchUpload");
        S3Assert.Error(await ListPartsAsync(server, "bucket", "k", uploadId), 404, "NoSuchUpload");
        S3Assert.Error(await AbortAsync(server, "bucket", "k", uploadId), 404, "NoSuchUpload");
        Assert.Empty((await SignedRequests.SendAsync(server, "GET", "/bucket?uploads", [])).XmlValues("Upload"));
        Assert.Equal(["k"], (await SignedRequests.SendAsync(server, "GET", "/bucket?list-type=2", [])).XmlValues("Key"));
        Assert.Equal(3, server.Stored.DataItemCount("bucket"));

        // The object replaced, then deleted: the answer stands, as on S3; and the bucket counts as empty.
        await PutObjectAsync(server, "bucket", "k", two);
        await AnsweredAgain("over another object", parts);
        S3Assert.Status(await SignedRequests.SendAsync(server, "DELETE", "/bucket/k", []), 204);
        await AnsweredAgain("after the object's delete", parts);
        Assert.Empty((await SignedRequests.SendAsync(server, "GET", "/bucket?versions", [])).XmlValues("Key"));
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));

        // Kept across a restart.
        string dataDir = server.DataDir;
        server.KeepDataDir = true;
        await server.DisposeAsync();
        await using (server = await InProcessServer.StartAsync(dataDir: dataDir))
        {
            await AnsweredAgain("after a restart", parts);
            S3Assert.Status(await SignedRequests.SendAsync(server, "DELETE", "/bucket", []), 204);
        }
    }

    [Trait("Store", "Disk")]
    [Fact]
    public async Task AnSseCCompleteSentAgainNeedsTheKeyAgain()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        string uploadId = await CreateAsync(server, "bucket", "k", [.. Key, "x-amz-checksum-algorithm:SHA256"]);
        byte[] data = RandomNumberGenerator.GetBytes(3000);
        RawResponse part = await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", data, [.. Key, $"x-amz-checksum-sha256:{Convert.ToBase64String(SHA256.HashData(data))}"]);
        S3Assert.Status(part, 200);
        Part[] parts = [new(1, part.Headers["ETag"])];

        RawResponse first = await CompleteAsync(server, "bucket", "k", uploadId, parts, Key);
        S3Assert.Status(first, 200);
        Assert.Equal($"{Convert.ToBase64String(SHA256.HashData(SHA256.HashData(data)))}-1", first.XmlValue("ChecksumSHA256"));

        RawResponse again = await CompleteAsync(server, "bucket", "k", uploadId, parts, Key);
        Assert.True(again.Status == 200 && again.Body.SequenceEqual(first.Body), $"expected {first.BodyText}, got {again.Describe()}");
        Assert.Equal(SseCHeaders(first), SseCHeaders(again));
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, parts, WrongKey), 403, "AccessDenied");
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, parts), 400, "InvalidRequest");

        // The checksum is sealed on disk, in the object's record and in the completion's alike (both in the
        // index's log, as their ETag in the clear shows).
        byte[] wal = File.ReadAllBytes(Assert.Single(Directory.GetFiles(Path.Combine(server.DataDir, "buckets", "bucket", "index"), "*.wal")));
        byte[] etag = System.Text.Encoding.ASCII.GetBytes(first.XmlValue("ETag").Trim('"'));
        Assert.Equal(2, wal.AsSpan().Count(etag));
        Assert.True(wal.AsSpan().IndexOf(SHA256.HashData(SHA256.HashData(data))) < 0, "the index holds the checksum in the clear");
    }

    [Fact]
    public async Task Boto3CompletesTwice()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await Boto3.RunAsync(server, """
            s3.create_bucket(Bucket="bucket")
            upload = s3.create_multipart_upload(Bucket="bucket", Key="k")["UploadId"]
            one, two = b"1" * (5 * 1024 * 1024), b"2" * 1000
            parts = [{"PartNumber": n, "ETag": s3.upload_part(Bucket="bucket", Key="k", UploadId=upload, PartNumber=n, Body=body)["ETag"]}
                     for n, body in ((1, one), (2, two))]
            answers = [s3.complete_multipart_upload(Bucket="bucket", Key="k", UploadId=upload, MultipartUpload={"Parts": parts}) for _ in range(2)]
            statuses = [answer.pop("ResponseMetadata")["HTTPStatusCode"] for answer in answers]
            assert statuses == [200, 200], statuses
            assert answers[0] == answers[1], answers
            assert answers[0]["ETag"].endswith('-2"') and answers[0]["Key"] == "k" and answers[0]["Bucket"] == "bucket", answers[0]
            assert answers[0]["ETag"] == s3.head_object(Bucket="bucket", Key="k")["ETag"]
            assert s3.get_object(Bucket="bucket", Key="k")["Body"].read() == one + two
            assert "Uploads" not in s3.list_multipart_uploads(Bucket="bucket")
            try:
                s3.upload_part(Bucket="bucket", Key="k", UploadId=upload, PartNumber=3, Body=two)
                raise AssertionError("UploadPart after the Complete succeeded")
            except s3.exceptions.NoSuchUpload as error:
                assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 404, error.response
            """);
    }

    private static string SseCHeaders(RawResponse response)
        => string.Join(", ", response.Headers.Where(header => header.Key.StartsWith("x-amz-server-side-encryption", StringComparison.OrdinalIgnoreCase)).Order());
}
