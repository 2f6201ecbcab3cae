using System.Security.Cryptography;
using FastS3.Basics;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// Multipart uploads refused as S3 refuses them, status and Code as raw requests see them: upload
/// ids that name no upload, part numbers out of range, part lists Complete cannot accept, and
/// replaced parts and abandoned uploads leaving no data behind.
/// </summary>
public sealed class MultipartErrorTests
{
    internal const int MiB = 1024 * 1024;

    /// <summary>S3's smallest part but the last.</summary>
    internal const int MinPart = 5 * MiB;

    internal static string QuotedMd5(byte[] data) => $"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"";

    [Fact]
    public async Task UploadIdsThatNameNoUploadAreNoSuchUpload()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        await PutObjectAsync(server, "bucket", "source", "copy me"u8.ToArray());

        string live = await CreateAsync(server, "bucket", "k");
        string livePart = await UploadPartAsync(server, "bucket", "k", live, 1, "live part"u8.ToArray());

        string aborted = await CreateAsync(server, "bucket", "k");
        await UploadPartAsync(server, "bucket", "k", aborted, 1, "aborted part"u8.ToArray());
        S3Assert.Status(await AbortAsync(server, "bucket", "k", aborted), 204);

        string completed = await CreateAsync(server, "bucket", "k");
        string completedPart = await UploadPartAsync(server, "bucket", "k", completed, 1, "completed part"u8.ToArray());
        S3Assert.Status(await CompleteAsync(server, "bucket", "k", completed, [new Part(1, completedPart)]), 200);

        (string Key, string UploadId, string What)[] nobodies =
        [
            ("k", "0123456789abcdef0123456789abcdef", "unknown"),
            ("k", "not-an-upload-id", "malformed"),
            ("k", live[..^2], "truncated"),
            ("k", aborted, "aborted"),
            ("k", completed, "completed"),
            ("other", live, "another key's"),
            ("other", completed, "another key's completed"),
        ];
        foreach ((string key, string uploadId, string what) in nobodies)
        {
            // A completed upload answers the Complete it was completed with again (MultipartCompleteRetryTests): this part list is another.
            (int, string) completeRefusal = what == "completed" ? (400, "InvalidPart") : (404, "NoSuchUpload");
            string complete = CompleteXml([new Part(1, livePart)]);
            (RawResponse Answer, (int Status, string Code) Expected)[] answers =
            [
                (await UploadPartRawAsync(server, "bucket", key, uploadId, "1", "data"u8.ToArray()), (404, "NoSuchUpload")),
                (await UploadPartRawAsync(server, "bucket", key, uploadId, "1", [], "x-amz-copy-source:/bucket/source"), (404, "NoSuchUpload")),
                (await CompleteAsync(server, "bucket", key, uploadId, complete), completeRefusal),
                (await AbortAsync(server, "bucket", key, uploadId), (404, "NoSuchUpload")),
                (await ListPartsAsync(server, "bucket", key, uploadId), (404, "NoSuchUpload")),
            ];
            foreach ((RawResponse answer, (int status, string code)) in answers)
            {
                Assert.True(answer.Status == status && answer.ErrorCode() == code, $"{what} upload id: {answer.Describe()}");
            }
        }

        // No bucket, no upload.
        S3Assert.Error(await SignedRequests.SendAsync(server, "POST", "/nobucket/k?uploads", []), 404, "NoSuchBucket");
        S3Assert.Error(await SignedRequests.SendAsync(server, "GET", "/nobucket?uploads", []), 404, "NoSuchBucket");
        S3Assert.Error(await UploadPartRawAsync(server, "nobucket", "k", live, "1", "data"u8.ToArray()), 404, "NoSuchBucket");

        // The live upload was touched by none of it; the completed object is what its upload said.
        RawResponse parts = await ListPartsAsync(server, "bucket", "k", live);
        S3Assert.Status(parts, 200);
        Assert.Equal([livePart], parts.XmlValues("ETag"));
        Assert.Equal("completed part"u8.ToArray(), (await GetAsync(server, "bucket", "k")).Body);
    }

    [Fact]
    public async Task PartNumbersOutsideOneToTenThousandAreInvalidArgument()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        await PutObjectAsync(server, "bucket", "source", "copy me"u8.ToArray());
        string uploadId = await CreateAsync(server, "bucket", "k");
        foreach (string number in new[] { "0", "10001", "abc", "-1", "1.5", "99999999999" })
        {
            S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, number, "data"u8.ToArray()), 400, "InvalidArgument");
            S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, number, [], "x-amz-copy-source:/bucket/source"), 400, "InvalidArgument");
            S3Assert.Error(await GetAsync(server, "bucket", "source", $"?partNumber={number}"), 400, "InvalidArgument");
        }

        // A single-stream object is its own part 1, and has no part 2.
        Assert.Equal("copy me"u8.ToArray(), (await GetAsync(server, "bucket", "source", "?partNumber=1")).Body);
        S3Assert.Error(await GetAsync(server, "bucket", "source", "?partNumber=2"), 400, "InvalidPartNumber");

        // Nothing of the refused parts was kept (the small source lives inline in its record: no file).
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));
        RawResponse listed = await ListPartsAsync(server, "bucket", "k", uploadId);
        Assert.Empty(listed.XmlValues("Part"));

        byte[] data = RandomNumberGenerator.GetBytes(1000);
        string etag = await UploadPartAsync(server, "bucket", "k", uploadId, 10000, data);
        Assert.Equal(QuotedMd5(data), etag);
        listed = await ListPartsAsync(server, "bucket", "k", uploadId);
        Assert.Equal(["10000"], listed.XmlValues("PartNumber"));
        RawResponse completed = await CompleteAsync(server, "bucket", "k", uploadId, [new Part(10000, etag)]);
        S3Assert.Status(completed, 200);

        // Part 1 of the object is the part numbered 10000 (GET ?partNumber counts parts, it does not name them).
        RawResponse part = await GetAsync(server, "bucket", "k", "?partNumber=1");
        S3Assert.Status(part, 206);
        Assert.Equal(data, part.Body);
        Assert.Equal("1", part.Headers["x-amz-mp-parts-count"]);
    }

    [Fact]
    public async Task CompleteRefusesPartListsItCannotAcceptAndTheUploadSurvives()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        byte[] old = RandomNumberGenerator.GetBytes(3000);
        await PutObjectAsync(server, "bucket", "k", old);
        string uploadId = await CreateAsync(server, "bucket", "k");
        byte[] one = RandomNumberGenerator.GetBytes(4000);
        byte[] two = RandomNumberGenerator.GetBytes(5000);
        Part p1 = new(1, await UploadPartAsync(server, "bucket", "k", uploadId, 1, one));
        Part p2 = new(2, await UploadPartAsync(server, "bucket", "k", uploadId, 2, two));
        string crc64 = MultipartUploadChecksumTests.Crc64Nvme(one);

        async Task Refused(string document, int status, string code, params string[] headers)
        {
            RawResponse response = await CompleteAsync(server, "bucket", "k", uploadId, document, headers);
            Assert.True(response.Status == status && response.ErrorCode() == code, $"{document}: expected {status} {code}, got {response.Describe()}");
        }

        await Refused(CompleteXml([p2, p1]), 400, "InvalidPartOrder");
        await Refused(CompleteXml([p1, p2, p2, p1]), 400, "InvalidPartOrder");
        await Refused(CompleteXml([p1, p2, p1]), 400, "InvalidPartOrder");
        await Refused(CompleteXml([new Part(3, p2.ETag)]), 400, "InvalidPart");
        await Refused(CompleteXml([new Part(1, p2.ETag)]), 400, "InvalidPart");
        await Refused(CompleteXml([new Part(1, "\"00000000000000000000000000000000\"")]), 400, "InvalidPart");
        await Refused(CompleteXml([p1 with { Checksum = ("CRC64NVME", "AAAAAAAAAAA=") }]), 400, "InvalidPart");
        await Refused(CompleteXml([p1 with { Checksum = ("CRC32", "AAAAAA==") }]), 400, "InvalidPart");
        await Refused(CompleteXml([p1, p2]), 400, "EntityTooSmall");
        await Refused("", 400, "MalformedXML");
        await Refused("not xml at all", 400, "MalformedXML");
        await Refused("<CompleteMultipartUpload><Part><PartNumber>1", 400, "MalformedXML");
        await Refused("<CompleteMultipartUpload></CompleteMultipartUpload>", 400, "MalformedXML");
        await Refused("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>", 400, "MalformedXML");
        await Refused($"<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>{p1.ETag}</ETag></Part></CompleteMultipartUpload>", 400, "MalformedXML");
        await Refused($"<CompleteMultipartUpload><Part><PartNumber>0</PartNumber><ETag>{p1.ETag}</ETag></Part></CompleteMultipartUpload>", 400, "MalformedXML");
        await Refused(CompleteXml([p1]), 412, "PreconditionFailed", "If-None-Match:*");
        await Refused(CompleteXml([p1]), 412, "PreconditionFailed", "If-Match:\"00000000000000000000000000000000\"");

        // None of it touched the upload or the old object.
        RawResponse parts = await ListPartsAsync(server, "bucket", "k", uploadId);
        Assert.Equal(["1", "2"], parts.XmlValues("PartNumber"));
        Assert.Equal(old, (await GetAsync(server, "bucket", "k")).Body);

        // The last part may be small; with its right checksum (and its ETag unquoted) and the old object's ETag, it completes.
        RawResponse completed = await CompleteAsync(server, "bucket", "k", uploadId, CompleteXml([new Part(1, p1.ETag.Trim('"'), ("CRC64NVME", crc64))]), $"If-Match:{QuotedMd5(old)}");
        S3Assert.Status(completed, 200);
        string etag = $"\"{Convert.ToHexStringLower(MD5.HashData(Convert.FromHexString(p1.ETag.Trim('"'))))}-1\"";
        Assert.Equal(etag, completed.XmlValue("ETag"));
        RawResponse got = await GetAsync(server, "bucket", "k");
        Assert.Equal(one, got.Body);
        Assert.Equal(etag, got.Headers["ETag"]);

        // Part 2 was left out: its data went with the upload, as did the old object's. Left: part 1 and the part table.
        Assert.Equal(2, server.Stored.DataItemCount("bucket"));
        S3Assert.Error(await ListPartsAsync(server, "bucket", "k", uploadId), 404, "NoSuchUpload");
    }

    [Fact]
    public async Task PartsThatCannotBeStoredAreRefusedAndNotKept()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        await PutObjectAsync(server, "bucket", "source", "copy me"u8.ToArray());
        string uploadId = await CreateAsync(server, "bucket", "k");
        byte[] data = RandomNumberGenerator.GetBytes(2000);

        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", data, $"Content-MD5:{Convert.ToBase64String(MD5.HashData(data[1..]))}"), 400, "BadDigest");
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", [], "x-amz-copy-source:/bucket/missing"), 404, "NoSuchKey");
        foreach (string range in new[] { "bytes=5-2", "0-3", "bytes=-3" })
        {
            S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", [], "x-amz-copy-source:/bucket/source", $"x-amz-copy-source-range:{range}"), 400, "InvalidArgument");
        }

        // Well-formed, but past the 7-byte source's end: S3's InvalidRange.
        foreach (string range in new[] { "bytes=0-7", "bytes=7-8" })
        {
            S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", [], "x-amz-copy-source:/bucket/source", $"x-amz-copy-source-range:{range}"), 400, "InvalidRange");
        }

        // Over 5 GiB: refused on its Content-Length, before a byte of it is sent.
        string path = $"/bucket/k?partNumber=1&uploadId={uploadId}";
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(server.BaseUrl, path), null, "Expect:100-continue");
        using (RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true))
        {
            await client.SendAsync($"PUT {path} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {(5L << 30) + 1}\r\n{signed}\r\n");
            S3Assert.Error(await client.ReadResponseAsync(timeoutSeconds: 5), 400, "EntityTooLarge");
        }

        Assert.Empty((await ListPartsAsync(server, "bucket", "k", uploadId)).XmlValues("Part"));
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));

        // A range of the source is a part of its own.
        RawResponse copied = await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", [], "x-amz-copy-source:/bucket/source", "x-amz-copy-source-range:bytes=5-6");
        S3Assert.Status(copied, 200);
        Assert.Equal(QuotedMd5("me"u8.ToArray()), copied.XmlValue("ETag"));
        S3Assert.Status(await CompleteAsync(server, "bucket", "k", uploadId, [new Part(1, copied.XmlValue("ETag"))]), 200);
        Assert.Equal("me"u8.ToArray(), (await GetAsync(server, "bucket", "k")).Body);

        // An object may be copied into a part of an upload to its own key (then replaced by it).
        string again = await CreateAsync(server, "bucket", "k");
        RawResponse self = await UploadPartRawAsync(server, "bucket", "k", again, "1", [], "x-amz-copy-source:/bucket/k");
        S3Assert.Status(self, 200);
        Part tail = new(2, await UploadPartAsync(server, "bucket", "k", again, 2, " again"u8.ToArray()));
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", again, [new Part(1, self.XmlValue("ETag")), tail]), 400, "EntityTooSmall");
        S3Assert.Status(await CompleteAsync(server, "bucket", "k", again, [new Part(1, self.XmlValue("ETag"))]), 200);
        Assert.Equal("me"u8.ToArray(), (await GetAsync(server, "bucket", "k")).Body);
        Assert.Equal(2, server.Stored.DataItemCount("bucket"));
    }

    [Fact]
    public async Task EmptyPartsMayOnlyComeLast()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        string uploadId = await CreateAsync(server, "bucket", "k");
        byte[] data = RandomNumberGenerator.GetBytes(MinPart);
        Part p1 = new(1, await UploadPartAsync(server, "bucket", "k", uploadId, 1, data));
        Part p2 = new(2, await UploadPartAsync(server, "bucket", "k", uploadId, 2, []));
        Part p3 = new(3, await UploadPartAsync(server, "bucket", "k", uploadId, 3, []));
        Assert.Equal(QuotedMd5([]), p2.ETag);
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, [p1, p2, p3]), 400, "EntityTooSmall");
        S3Assert.Status(await CompleteAsync(server, "bucket", "k", uploadId, [p1, p3]), 200);

        Assert.Equal(data, (await GetAsync(server, "bucket", "k")).Body);
        Assert.Equal(data[^10..], (await GetAsync(server, "bucket", "k", "", "Range:bytes=-10")).Body);
        RawResponse last = await GetAsync(server, "bucket", "k", "?partNumber=2");
        S3Assert.Status(last, 206);
        Assert.Empty(last.Body);
        Assert.Equal("2", last.Headers["x-amz-mp-parts-count"]);
        Assert.Equal(data, (await GetAsync(server, "bucket", "k", "?partNumber=1")).Body);

        // An object of one empty part.
        string empty = await CreateAsync(server, "bucket", "empty");
        Part only = new(1, await UploadPartAsync(server, "bucket", "empty", empty, 1, []));
        RawResponse completed = await CompleteAsync(server, "bucket", "empty", empty, [only]);
        S3Assert.Status(completed, 200);
        RawResponse got = await GetAsync(server, "bucket", "empty");
        S3Assert.Status(got, 200);
        Assert.Empty(got.Body);
        Assert.Equal(completed.XmlValue("ETag"), got.Headers["ETag"]);
        Assert.Equal("0", (await SignedRequests.SendAsync(server, "HEAD", "/bucket/empty?partNumber=1", [])).Headers["Content-Length"]);
    }

    [Fact]
    public async Task ReuploadingAPartNumberReplacesIt()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        string uploadId = await CreateAsync(server, "bucket", "k");
        byte[] first = RandomNumberGenerator.GetBytes(1000);
        byte[] second = RandomNumberGenerator.GetBytes(MinPart);
        byte[] last = RandomNumberGenerator.GetBytes(777);
        string firstETag = await UploadPartAsync(server, "bucket", "k", uploadId, 1, first);
        Assert.Equal(1, server.Stored.DataItemCount("bucket"));
        string secondETag = await UploadPartAsync(server, "bucket", "k", uploadId, 1, second);
        Assert.Equal(1, server.Stored.DataItemCount("bucket"));
        string lastETag = await UploadPartAsync(server, "bucket", "k", uploadId, 2, last);
        Assert.Equal(2, server.Stored.DataItemCount("bucket"));

        RawResponse parts = await ListPartsAsync(server, "bucket", "k", uploadId);
        Assert.Equal(["1", "2"], parts.XmlValues("PartNumber"));
        Assert.Equal([secondETag, lastETag], parts.XmlValues("ETag"));
        Assert.Equal([MinPart.ToString(), "777"], parts.XmlValues("Size"));

        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, [new Part(1, firstETag), new Part(2, lastETag)]), 400, "InvalidPart");
        RawResponse completed = await CompleteAsync(server, "bucket", "k", uploadId, [new Part(1, secondETag), new Part(2, lastETag)]);
        S3Assert.Status(completed, 200);
        Assert.Equal("bucket", completed.XmlValue("Bucket"));
        Assert.Equal("k", completed.XmlValue("Key"));
        Assert.Equal($"https://{server.BaseUrl.Authority}/bucket/k", completed.XmlValue("Location"));
        Assert.Equal(
            $"\"{Convert.ToHexStringLower(MD5.HashData([.. MD5.HashData(second), .. MD5.HashData(last)]))}-2\"",
            completed.XmlValue("ETag"));
        byte[] expected = [.. second, .. last];
        Assert.Equal(expected, (await GetAsync(server, "bucket", "k")).Body);
        Assert.Equal(3, server.Stored.DataItemCount("bucket"));
    }

    /// <summary>
    /// Part 1 sent twice at once, the first attempt finishing last (its body held back until the
    /// second was answered): the part is the attempt that finished last, listed once, and its data
    /// alone is kept. Complete takes the answers as the client recorded them, in the order they
    /// came: a number listed twice, the later entry stands (S3's conformance tests do this); the
    /// parts as ListParts shows them are the same list.
    /// </summary>
    [Fact]
    public async Task APartResentWhileTheFirstAttemptIsInFlightIsTheAttemptThatFinishedLast()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        string uploadId = await CreateAsync(server, "bucket", "k");
        byte[] first = RandomNumberGenerator.GetBytes(MinPart);
        byte[] resent = RandomNumberGenerator.GetBytes(MinPart);

        string path = $"/bucket/k?partNumber=1&uploadId={uploadId}";
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(server.BaseUrl, path), null);
        using RawClient held = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: true);
        await held.SendAsync($"PUT {path} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {first.Length}\r\n{signed}\r\n");
        await held.SendAsync(first[..(first.Length / 2)]);

        Part finishedFirst = new(1, await UploadPartAsync(server, "bucket", "k", uploadId, 1, resent));
        await held.SendAsync(first[(first.Length / 2)..]);
        RawResponse answer = await held.ReadResponseAsync(timeoutSeconds: 30);
        S3Assert.Status(answer, 200);
        Part finishedLast = new(1, answer.Headers["ETag"]);
        Assert.Equal(QuotedMd5(resent), finishedFirst.ETag);
        Assert.Equal(QuotedMd5(first), finishedLast.ETag);

        RawResponse listed = await ListPartsAsync(server, "bucket", "k", uploadId);
        Assert.Equal(["1"], listed.XmlValues("PartNumber"));
        Assert.Equal([finishedLast.ETag], listed.XmlValues("ETag"));
        Assert.Equal(1, server.Stored.DataItemCount("bucket"));

        // Listed the other way round, the later entry names the part replaced.
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, [finishedLast, finishedFirst]), 400, "InvalidPart");
        RawResponse completed = await CompleteAsync(server, "bucket", "k", uploadId, [finishedFirst, finishedLast]);
        S3Assert.Status(completed, 200);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(MD5.HashData(first)))}-1\"", completed.XmlValue("ETag"));
        Assert.Equal(first, (await GetAsync(server, "bucket", "k")).Body);
        Assert.Equal(2, server.Stored.DataItemCount("bucket"));

        RawResponse again = await CompleteAsync(server, "bucket", "k", uploadId, listed.XmlValues("PartNumber").Zip(listed.XmlValues("ETag"), (number, etag) => new Part(int.Parse(number), etag)));
        Assert.True(again.Status == 200 && again.BodyText == completed.BodyText, $"expected {completed.BodyText}, got {again.Describe()}");
    }

    [Fact]
    public async Task AbortAndCompleteLeaveNoDataBeyondWhatTheObjectUses()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");

        // Aborted: every part goes.
        string aborted = await CreateAsync(server, "bucket", "k");
        for (int number = 1; number <= 3; number++)
        {
            await UploadPartAsync(server, "bucket", "k", aborted, number, RandomNumberGenerator.GetBytes(10_000 * number));
        }

        Assert.Equal(3, server.Stored.DataItemCount("bucket"));
        S3Assert.Status(await AbortAsync(server, "bucket", "k", aborted), 204);
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));
        S3Assert.Error(await AbortAsync(server, "bucket", "k", aborted), 404, "NoSuchUpload");

        // Completed from parts 1, 2 and 4 of four: three part files and the part table stay, part 3 goes.
        string uploadId = await CreateAsync(server, "bucket", "k");
        byte[][] data = [RandomNumberGenerator.GetBytes(MinPart), RandomNumberGenerator.GetBytes(MinPart + 1), RandomNumberGenerator.GetBytes(100), RandomNumberGenerator.GetBytes(12_345)];
        var parts = new List<Part>();
        for (int i = 0; i < data.Length; i++)
        {
            parts.Add(new Part(i + 1, await UploadPartAsync(server, "bucket", "k", uploadId, i + 1, data[i])));
        }

        Assert.Equal(4, server.Stored.DataItemCount("bucket"));
        S3Assert.Status(await CompleteAsync(server, "bucket", "k", uploadId, [parts[0], parts[1], parts[3]]), 200);
        Assert.Equal(4, server.Stored.DataItemCount("bucket"));
        byte[] expected = [.. data[0], .. data[1], .. data[3]];
        Assert.Equal(expected, (await GetAsync(server, "bucket", "k")).Body);
        Assert.Empty(server.Stored.UnfinishedWrites());

        // Replaced by a small plain object (kept inline in its record), the multipart object's parts and table go.
        await PutObjectAsync(server, "bucket", "k", "small"u8.ToArray());
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));
        S3Assert.Status(await SignedRequests.SendAsync(server, "DELETE", "/bucket/k", []), 204);
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));
        Assert.Empty(server.Stored.UnfinishedWrites());
    }
}
