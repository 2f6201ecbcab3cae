using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// Multipart checksums end to end, computed independently here: COMPOSITE (the checksum of the
/// part checksums, "-N"), FULL_OBJECT (the checksum of the whole object) and the CRC64NVME S3
/// computes when none was asked for; parts must use the upload's algorithm.
/// </summary>
public sealed class MultipartUploadChecksumTests
{
    private const int MinPart = MultipartErrorTests.MinPart;
    private static readonly string[] ChecksumMode = ["x-amz-checksum-mode:ENABLED"];

    internal static string Crc32(byte[] data) => BigEndian(System.IO.Hashing.Crc32.HashToUInt32(data));

    internal static string Crc32C(byte[] data) => BigEndian(System.IO.Hashing.Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data));

    internal static string Crc64Nvme(byte[] data)
    {
        byte[] digest = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(digest, Crc64.HashToUInt64(Crc64ParameterSet.Nvme, data));
        return Convert.ToBase64String(digest);
    }

    private static string BigEndian(uint crc)
    {
        byte[] digest = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(digest, crc);
        return Convert.ToBase64String(digest);
    }

    [Fact]
    public async Task Crc32IsCompositeByDefault()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        RawResponse created = await SignedRequests.SendAsync(server, "POST", "/bucket/k?uploads", [], "x-amz-checksum-algorithm:CRC32");
        S3Assert.Status(created, 200);
        Assert.Equal("CRC32", created.Headers["x-amz-checksum-algorithm"]);
        Assert.Equal("COMPOSITE", created.Headers["x-amz-checksum-type"]);
        string uploadId = created.XmlValue("UploadId");

        byte[] one = RandomNumberGenerator.GetBytes(MinPart);
        byte[] two = RandomNumberGenerator.GetBytes(54_321);

        // Sent with its checksum, the part echoes it; sent without, the server computes the upload's algorithm anyway.
        RawResponse first = await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", one, $"x-amz-checksum-crc32:{Crc32(one)}");
        S3Assert.Status(first, 200);
        Assert.Equal(Crc32(one), first.Headers["x-amz-checksum-crc32"]);
        RawResponse second = await UploadPartRawAsync(server, "bucket", "k", uploadId, "2", two);
        S3Assert.Status(second, 200);
        Assert.Equal(Crc32(two), second.Headers["x-amz-checksum-crc32"]);

        // A wrong checksum, or another algorithm than the upload's, and the part is refused and not kept.
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "3", two, $"x-amz-checksum-crc32:{Crc32(one)}"), 400, "BadDigest");
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "3", two, $"x-amz-checksum-crc32c:{Crc32C(two)}"), 400, "InvalidRequest");
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "3", two, $"x-amz-checksum-crc64nvme:{Crc64Nvme(two)}"), 400, "InvalidRequest");
        RawResponse parts = await ListPartsAsync(server, "bucket", "k", uploadId);
        Assert.Equal(["1", "2"], parts.XmlValues("PartNumber"));
        Assert.Equal([Crc32(one), Crc32(two)], parts.XmlValues("ChecksumCRC32"));
        Assert.Equal("CRC32", parts.XmlValue("ChecksumAlgorithm"));
        Assert.Equal("COMPOSITE", parts.XmlValue("ChecksumType"));
        Assert.Equal(2, server.Stored.DataItemCount("bucket"));

        string composite = Crc32([.. Convert.FromBase64String(Crc32(one)), .. Convert.FromBase64String(Crc32(two))]) + "-2";
        Part[] list = [new(1, first.Headers["ETag"], ("CRC32", Crc32(one))), new(2, second.Headers["ETag"], ("CRC32", Crc32(two)))];

        // A whole-object checksum the client expects but does not get.
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, list, $"x-amz-checksum-crc32:{Crc32([.. one, .. two])}-2"), 400, "BadDigest");

        RawResponse completed = await CompleteAsync(server, "bucket", "k", uploadId, list, $"x-amz-checksum-crc32:{composite}");
        S3Assert.Status(completed, 200);
        Assert.Equal(composite, completed.XmlValue("ChecksumCRC32"));
        Assert.Equal("COMPOSITE", completed.XmlValue("ChecksumType"));

        RawResponse head = await SignedRequests.SendAsync(server, "HEAD", "/bucket/k", [], ChecksumMode);
        S3Assert.Status(head, 200);
        Assert.Equal(composite, head.Headers["x-amz-checksum-crc32"]);
        Assert.Equal("COMPOSITE", head.Headers["x-amz-checksum-type"]);
        Assert.False(head.Headers.ContainsKey("x-amz-checksum-crc64nvme"));
        Assert.False((await SignedRequests.SendAsync(server, "HEAD", "/bucket/k", [])).Headers.ContainsKey("x-amz-checksum-crc32"));

        RawResponse got = await GetAsync(server, "bucket", "k", "", ChecksumMode);
        Assert.Equal([.. one, .. two], got.Body);
        Assert.Equal(composite, got.Headers["x-amz-checksum-crc32"]);
    }

    [Fact]
    public async Task Crc32CFullObjectIsTheChecksumOfTheWholeObject()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        RawResponse created = await SignedRequests.SendAsync(server, "POST", "/bucket/k?uploads", [], "x-amz-checksum-algorithm:CRC32C", "x-amz-checksum-type:FULL_OBJECT");
        S3Assert.Status(created, 200);
        Assert.Equal("CRC32C", created.Headers["x-amz-checksum-algorithm"]);
        Assert.Equal("FULL_OBJECT", created.Headers["x-amz-checksum-type"]);
        string uploadId = created.XmlValue("UploadId");

        byte[] one = RandomNumberGenerator.GetBytes(MinPart + 3);
        byte[] two = RandomNumberGenerator.GetBytes(99_999);
        RawResponse first = await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", one, $"x-amz-checksum-crc32c:{Crc32C(one)}");
        S3Assert.Status(first, 200);
        Assert.Equal(Crc32C(one), first.Headers["x-amz-checksum-crc32c"]);
        RawResponse second = await UploadPartRawAsync(server, "bucket", "k", uploadId, "2", two, $"x-amz-checksum-crc32c:{Crc32C(two)}");
        S3Assert.Status(second, 200);
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "3", two, $"x-amz-checksum-crc32:{Crc32(two)}"), 400, "InvalidRequest");

        string whole = Crc32C([.. one, .. two]);
        RawResponse completed = await CompleteAsync(server, "bucket", "k", uploadId,
            [new Part(1, first.Headers["ETag"], ("CRC32C", Crc32C(one))), new Part(2, second.Headers["ETag"], ("CRC32C", Crc32C(two)))], $"x-amz-checksum-crc32c:{whole}");
        S3Assert.Status(completed, 200);
        Assert.Equal(whole, completed.XmlValue("ChecksumCRC32C"));
        Assert.Equal("FULL_OBJECT", completed.XmlValue("ChecksumType"));

        RawResponse head = await SignedRequests.SendAsync(server, "HEAD", "/bucket/k", [], ChecksumMode);
        Assert.Equal(whole, head.Headers["x-amz-checksum-crc32c"]);
        Assert.Equal("FULL_OBJECT", head.Headers["x-amz-checksum-type"]);
    }

    [Fact]
    public async Task WithoutAnAlgorithmTheObjectGetsACrc64NvmeOfTheWhole()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        RawResponse created = await SignedRequests.SendAsync(server, "POST", "/bucket/k?uploads", []);
        S3Assert.Status(created, 200);
        Assert.False(created.Headers.ContainsKey("x-amz-checksum-algorithm"));
        string uploadId = created.XmlValue("UploadId");

        byte[][] data = [RandomNumberGenerator.GetBytes(MinPart), RandomNumberGenerator.GetBytes(MinPart), RandomNumberGenerator.GetBytes(1)];
        var parts = new List<Part>();
        for (int i = 0; i < data.Length; i++)
        {
            parts.Add(new Part(i + 1, await UploadPartAsync(server, "bucket", "k", uploadId, i + 1, data[i])));
        }

        string whole = Crc64Nvme([.. data[0], .. data[1], .. data[2]]);
        RawResponse completed = await CompleteAsync(server, "bucket", "k", uploadId, parts);
        S3Assert.Status(completed, 200);
        Assert.Equal(whole, completed.XmlValue("ChecksumCRC64NVME"));
        Assert.Equal("FULL_OBJECT", completed.XmlValue("ChecksumType"));

        RawResponse head = await SignedRequests.SendAsync(server, "HEAD", "/bucket/k", [], ChecksumMode);
        Assert.Equal(whole, head.Headers["x-amz-checksum-crc64nvme"]);
        Assert.Equal("FULL_OBJECT", head.Headers["x-amz-checksum-type"]);

        // A part's range has no whole-object checksum to offer.
        RawResponse part = await GetAsync(server, "bucket", "k", "?partNumber=2", ChecksumMode);
        S3Assert.Status(part, 206);
        Assert.Equal(data[1], part.Body);
        Assert.False(part.Headers.ContainsKey("x-amz-checksum-crc64nvme"));
    }

    [Fact]
    public async Task ChecksumDeclarationsS3DoesNotOfferAreInvalidRequest()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        string[][] declarations =
        [
            ["x-amz-checksum-algorithm:MD5"],
            ["x-amz-checksum-algorithm:CRC32", "x-amz-checksum-type:SOMETIMES"],
            ["x-amz-checksum-algorithm:CRC64NVME", "x-amz-checksum-type:COMPOSITE"],
            ["x-amz-checksum-algorithm:SHA256", "x-amz-checksum-type:FULL_OBJECT"],
            ["x-amz-checksum-algorithm:SHA1", "x-amz-checksum-type:FULL_OBJECT"],
        ];
        foreach (string[] headers in declarations)
        {
            S3Assert.Error(await SignedRequests.SendAsync(server, "POST", "/bucket/k?uploads", [], headers), 400, "InvalidRequest");
        }

        Assert.Empty((await SignedRequests.SendAsync(server, "GET", "/bucket?uploads", [])).XmlValues("Upload"));
    }
}
