using System.Text;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// SSE-C multipart uploads as raw requests see them: the key on every part (400 without, 403 when
/// wrong, 400 on a plain upload) and on Complete where a checksum needs it, reads across part
/// boundaries and by part number, part tables that do not authenticate refused before any byte,
/// no plaintext on disk, and no SSE-C over plain HTTP.
/// </summary>
public sealed class MultipartSseCTests
{
    private const int MinPart = MultipartErrorTests.MinPart;
    private const string Secret = "the launch codes are 0451-XYZZY";
    private static readonly string[] Key = SseCTests.Triple();
    private static readonly string[] WrongKey = SseCTests.Triple(SseCTests.OtherKey, SseCTests.OtherKeyMd5);

    /// <summary>Numbered lines holding <see cref="Secret"/>, so every slice is recognisable and none repeats.</summary>
    private static byte[] SecretText(int length, string label)
    {
        var text = new StringBuilder(length + 100);
        for (int line = 0; text.Length < length; line++)
        {
            text.Append($"{label} line {line:D8}: {Secret}\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    [Trait("Store", "Disk")]
    [Fact]
    public async Task EveryPartNeedsTheKeyAndReadsComeBackAcrossParts()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        string uploadId = await CreateAsync(server, "bucket", "k", [.. Key, "Content-Type:application/x-plans", "x-amz-meta-codename:BLUEBIRD"]);
        byte[][] data = [SecretText(MinPart, "one"), SecretText(MinPart, "two"), SecretText(100_007, "three")];
        byte[] whole = [.. data[0], .. data[1], .. data[2]];

        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", data[0]), 400, "InvalidRequest");
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "k", uploadId, "1", data[0], WrongKey), 403, "AccessDenied");
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));

        var parts = new List<Part>();
        for (int i = 0; i < data.Length; i++)
        {
            RawResponse part = await UploadPartRawAsync(server, "bucket", "k", uploadId, (i + 1).ToString(), data[i], Key);
            S3Assert.Status(part, 200);
            Assert.Equal(SseCTests.KeyMd5, part.Headers["x-amz-server-side-encryption-customer-key-MD5"]);
            Assert.NotEqual(MultipartErrorTests.QuotedMd5(data[i]), part.Headers["ETag"]);
            parts.Add(new Part(i + 1, part.Headers["ETag"]));
        }

        // A plain upload's parts take no key.
        string plain = await CreateAsync(server, "bucket", "plain");
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "plain", plain, "1", data[2], Key), 400, "InvalidRequest");
        S3Assert.Status(await AbortAsync(server, "bucket", "plain", plain), 204);

        // Listing parts works without the key (checksums are sealed then).
        RawResponse listed = await ListPartsAsync(server, "bucket", "k", uploadId);
        S3Assert.Status(listed, 200);
        Assert.Equal(parts.Select(p => p.ETag), listed.XmlValues("ETag"));
        Assert.Empty(listed.XmlValues("ChecksumCRC64NVME"));

        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, parts, WrongKey), 403, "AccessDenied");
        S3Assert.Status(await CompleteAsync(server, "bucket", "k", uploadId, parts, Key), 200);
        Assert.Equal(4, server.Stored.DataItemCount("bucket"));

        S3Assert.Error(await GetAsync(server, "bucket", "k"), 400, "InvalidRequest");
        S3Assert.Error(await GetAsync(server, "bucket", "k", "", WrongKey), 403, "AccessDenied");
        S3Assert.Error(await GetAsync(server, "bucket", "k", "?partNumber=1", WrongKey), 403, "AccessDenied");
        S3Assert.Error(await SignedRequests.SendAsync(server, "HEAD", "/bucket/k", []), 400, null);
        S3Assert.Error(await SignedRequests.SendAsync(server, "HEAD", "/bucket/k", [], WrongKey), 403, null);

        RawResponse head = await SignedRequests.SendAsync(server, "HEAD", "/bucket/k", [], Key);
        S3Assert.Status(head, 200);
        Assert.Equal(whole.Length.ToString(), head.Headers["Content-Length"]);
        Assert.Equal("application/x-plans", head.Headers["Content-Type"]);
        Assert.Equal("BLUEBIRD", head.Headers["x-amz-meta-codename"]);
        RawResponse checksum = await SignedRequests.SendAsync(server, "HEAD", "/bucket/k", [], [.. Key, "x-amz-checksum-mode:ENABLED"]);
        Assert.Equal(MultipartUploadChecksumTests.Crc64Nvme(whole), checksum.Headers["x-amz-checksum-crc64nvme"]);
        Assert.Equal(whole, (await GetAsync(server, "bucket", "k", "", Key)).Body);

        // Ranges across part boundaries and inside parts.
        (long First, long? Last)[] ranges =
        [
            (MinPart - 10, MinPart + 9),        // the last 10 bytes of part 1, the first 10 of part 2
            (MinPart + 1000, MinPart + 1999),   // inside part 2
            (MinPart - 1, 2L * MinPart),        // the last byte of part 1, all of part 2, the first of part 3
            (2L * MinPart - 5, null),           // the end of part 2 and all of part 3
            (0, 0),
            (whole.Length - 1, whole.Length - 1),
        ];
        foreach ((long first, long? last) in ranges)
        {
            long end = last ?? whole.Length - 1;
            RawResponse slice = await GetAsync(server, "bucket", "k", "", [.. Key, $"Range:bytes={first}-{last}"]);
            S3Assert.Status(slice, 206);
            Assert.Equal($"bytes {first}-{end}/{whole.Length}", slice.Headers["Content-Range"]);
            Assert.True(whole.AsSpan((int)first, (int)(end - first + 1)).SequenceEqual(slice.Body), $"bytes={first}-{last}: wrong bytes");
        }

        RawResponse suffix = await GetAsync(server, "bucket", "k", "", [.. Key, "Range:bytes=-20"]);
        Assert.Equal(whole[^20..], suffix.Body);

        // Part by part: exactly that part, with its place in the object and the part count.
        long start = 0;
        for (int number = 1; number <= 3; number++)
        {
            RawResponse part = await GetAsync(server, "bucket", "k", $"?partNumber={number}", Key);
            S3Assert.Status(part, 206);
            Assert.Equal(data[number - 1], part.Body);
            Assert.Equal($"bytes {start}-{start + data[number - 1].Length - 1}/{whole.Length}", part.Headers["Content-Range"]);
            Assert.Equal("3", part.Headers["x-amz-mp-parts-count"]);
            start += data[number - 1].Length;
        }

        RawResponse headPart = await SignedRequests.SendAsync(server, "HEAD", "/bucket/k?partNumber=2", [], Key);
        S3Assert.Status(headPart, 206);
        Assert.Equal(data[1].Length.ToString(), headPart.Headers["Content-Length"]);
        S3Assert.Error(await GetAsync(server, "bucket", "k", "?partNumber=4", Key), 400, "InvalidPartNumber");
        S3Assert.Error(await GetAsync(server, "bucket", "k", "?partNumber=1", [.. Key, "Range:bytes=0-9"]), 400, "InvalidRequest");

        // Copied out of the encrypted object: a range across the boundary of parts 1 and 2 into a plain
        // upload's part (with the source's key), then that object into an SSE-C upload's part (with the destination's).
        string[] sourceKey = [.. Key.Select(h => h.Replace("x-amz-", "x-amz-copy-source-"))];
        byte[] crossing = whole[(MinPart - 500)..(MinPart + 500)];
        string[] copyRange = ["x-amz-copy-source:/bucket/k", $"x-amz-copy-source-range:bytes={MinPart - 500}-{MinPart + 499}"];
        string copiedId = await CreateAsync(server, "bucket", "copied");
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "copied", copiedId, "1", [], copyRange), 400, "InvalidRequest");
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "copied", copiedId, "1", [], [.. copyRange, .. WrongKey.Select(h => h.Replace("x-amz-", "x-amz-copy-source-"))]), 403, "AccessDenied");
        RawResponse copiedPart = await UploadPartRawAsync(server, "bucket", "copied", copiedId, "1", [], [.. copyRange, .. sourceKey]);
        S3Assert.Status(copiedPart, 200);
        Assert.Equal(MultipartErrorTests.QuotedMd5(crossing), copiedPart.XmlValue("ETag"));
        S3Assert.Status(await CompleteAsync(server, "bucket", "copied", copiedId, [new Part(1, copiedPart.XmlValue("ETag"))]), 200);
        Assert.Equal(crossing, (await GetAsync(server, "bucket", "copied")).Body);

        string recopiedId = await CreateAsync(server, "bucket", "recopied", Key);
        S3Assert.Error(await UploadPartRawAsync(server, "bucket", "recopied", recopiedId, "1", [], "x-amz-copy-source:/bucket/copied"), 400, "InvalidRequest");
        RawResponse recopiedPart = await UploadPartRawAsync(server, "bucket", "recopied", recopiedId, "1", [], ["x-amz-copy-source:/bucket/copied", .. Key]);
        S3Assert.Status(recopiedPart, 200);
        S3Assert.Status(await CompleteAsync(server, "bucket", "recopied", recopiedId, [new Part(1, recopiedPart.XmlValue("ETag"))], Key), 200);
        Assert.Equal(crossing, (await GetAsync(server, "bucket", "recopied", "", Key)).Body);
        S3Assert.Status(await SignedRequests.SendAsync(server, "DELETE", "/bucket/copied", []), 204);

        // Once the server has stopped (everything flushed), no file under DATA_DIR holds the plaintext, the metadata or the key.
        server.KeepDataDir = true;
        Assert.Equal(0, await server.StopAsync());
        byte[] rawKey = Convert.FromBase64String(SseCTests.Key);
        string[] secrets = [Secret, "BLUEBIRD", "x-plans", SseCTests.Key, Encoding.Latin1.GetString(rawKey), Convert.ToHexStringLower(rawKey)];
        foreach (string file in Directory.EnumerateFiles(server.DataDir, "*", SearchOption.AllDirectories))
        {
            string content = Encoding.Latin1.GetString(File.ReadAllBytes(file));
            foreach (string secret in secrets)
            {
                Assert.False(content.Contains(secret, StringComparison.Ordinal), $"{file} contains '{secret}'");
            }
        }

        Directory.Delete(server.DataDir, recursive: true);
    }

    /// <summary>
    /// As S3 allows (and the MinIO SDK does), a Complete may come without the key when no checksum
    /// needs it: the object then has each part's MAC, made at UploadPart, instead of one over the
    /// whole part list, and its sealed headers carry over from the upload as they were.
    /// </summary>
    [Fact]
    public async Task CompleteWithoutTheKeyWhereNoChecksumNeedsIt()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        byte[][] data = [SecretText(MinPart, "one"), SecretText(70_001, "two")];
        byte[] whole = [.. data[0], .. data[1]];
        async Task<List<Part>> UploadAsync(string key, string uploadId)
        {
            var parts = new List<Part>();
            for (int i = 0; i < data.Length; i++)
            {
                parts.Add(new Part(i + 1, await UploadPartAsync(server, "bucket", key, uploadId, i + 1, data[i], Key)));
            }

            return parts;
        }

        string keyless = await CreateAsync(server, "bucket", "keyless", [.. Key, "Content-Type:application/x-plans", "x-amz-meta-codename:BLUEBIRD"]);
        List<Part> keylessParts = await UploadAsync("keyless", keyless);

        // A checksum the client expects of the object or of a part cannot be checked without the key.
        S3Assert.Error(await CompleteAsync(server, "bucket", "keyless", keyless, keylessParts, "x-amz-checksum-crc32:AAAAAA=="), 400, "InvalidRequest");
        S3Assert.Error(await CompleteAsync(server, "bucket", "keyless", keyless, [keylessParts[0] with { Checksum = ("CRC64NVME", "AAAAAAAAAAA=") }, keylessParts[1]]), 400, "InvalidRequest");
        RawResponse completed = await CompleteAsync(server, "bucket", "keyless", keyless, keylessParts);
        S3Assert.Status(completed, 200);
        string etag = completed.XmlValue("ETag");
        Assert.EndsWith("-2\"", etag);

        // Sent again, with or without the key, the same answer; with another key, none.
        Assert.Equal(etag, (await CompleteAsync(server, "bucket", "keyless", keyless, keylessParts)).XmlValue("ETag"));
        Assert.Equal(etag, (await CompleteAsync(server, "bucket", "keyless", keyless, keylessParts, Key)).XmlValue("ETag"));
        S3Assert.Error(await CompleteAsync(server, "bucket", "keyless", keyless, keylessParts, WrongKey), 403, "AccessDenied");

        // Reads need the key as ever, and find the upload's headers and metadata.
        S3Assert.Error(await GetAsync(server, "bucket", "keyless"), 400, "InvalidRequest");
        S3Assert.Error(await GetAsync(server, "bucket", "keyless", "", WrongKey), 403, "AccessDenied");
        RawResponse read = await GetAsync(server, "bucket", "keyless", "", Key);
        S3Assert.Status(read, 200);
        Assert.Equal(whole, read.Body);
        Assert.Equal(etag, read.Headers["ETag"]);
        Assert.Equal("application/x-plans", read.Headers["Content-Type"]);
        Assert.Equal("BLUEBIRD", read.Headers["x-amz-meta-codename"]);
        Assert.Equal(data[1], (await GetAsync(server, "bucket", "keyless", "?partNumber=2", Key)).Body);
        Assert.Equal(whole[(MinPart - 5)..(MinPart + 5)], (await GetAsync(server, "bucket", "keyless", "", [.. Key, $"Range:bytes={MinPart - 5}-{MinPart + 4}"])).Body);

        // Key rotation (a copy onto itself) keeps the object key, so the part MACs still hold.
        string[] copySourceKey = [.. Key.Select(header => "x-amz-copy-source-" + header["x-amz-".Length..])];
        S3Assert.Status(await SignedRequests.SendAsync(server, "PUT", "/bucket/keyless", [], [.. WrongKey, .. copySourceKey, "x-amz-copy-source:/bucket/keyless"]), 200);
        S3Assert.Error(await GetAsync(server, "bucket", "keyless", "", Key), 403, "AccessDenied");
        Assert.Equal(whole, (await GetAsync(server, "bucket", "keyless", "", WrongKey)).Body);
        S3Assert.Status(await SignedRequests.SendAsync(server, "PUT", "/bucket/keyless", [], [.. Key, .. copySourceKey.Select(h => h.Replace(SseCTests.Key, SseCTests.OtherKey).Replace(SseCTests.KeyMd5, SseCTests.OtherKeyMd5)), "x-amz-copy-source:/bucket/keyless"]), 200);

        // An upload that declared a checksum needs the key: the parts' checksums are sealed under it.
        string declared = await CreateAsync(server, "bucket", "declared", [.. Key, "x-amz-checksum-algorithm:CRC32"]);
        List<Part> declaredParts = await UploadAsync("declared", declared);
        S3Assert.Error(await CompleteAsync(server, "bucket", "declared", declared, declaredParts), 400, "InvalidRequest");
        S3Assert.Status(await CompleteAsync(server, "bucket", "declared", declared, declaredParts, Key), 200);

        // Both kinds of part table are checked before any byte goes out: a MAC that does not verify is refused.
        foreach (string key in new[] { "keyless", "declared" })
        {
            DataItem table = PartTable(server, keyless: key == "keyless");
            byte[] original = server.Stored.Read("bucket", table);
            byte[] tampered = [.. original];
            tampered[^5] ^= 0x01; // the last byte of the last MAC
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(tampered.AsSpan(tampered.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(System.IO.Hashing.Crc32ParameterSet.Crc32C, tampered.AsSpan(0, tampered.Length - 4)));
            server.Stored.Write("bucket", table, tampered);
            S3Assert.Error(await GetAsync(server, "bucket", key, "", Key), 500, "InternalError");
            server.Stored.Write("bucket", table, original);
            Assert.Equal(whole, (await GetAsync(server, "bucket", key, "", Key)).Body);
        }
    }

    /// <summary>The part table with per-part MACs (<paramref name="keyless"/>) or with a table MAC; the test completes one of each.</summary>
    private static DataItem PartTable(InProcessServer server, bool keyless)
        => server.Stored.DataItems("bucket").Single(item =>
            FastS3.Storage.PartTable.TryParse(server.Stored.Read("bucket", item), out FastS3.Storage.PartTable? table) && (keyless ? !table.PartMacs.IsEmpty : !table.Mac.IsEmpty));

    [Fact]
    public async Task SseCOverPlainHttpIsRefusedBeforeAnyBody()
    {
        await using InProcessServer server = await InProcessServer.StartAsync(tls: false);
        await CreateBucketAsync(server, "bucket");
        string uploadId = await CreateAsync(server, "bucket", "k");
        S3Assert.Error(await SignedRequests.SendAsync(server, "POST", "/bucket/k?uploads", [], Key), 400, "InvalidRequest");
        S3Assert.Error(await CompleteAsync(server, "bucket", "k", uploadId, [new Part(1, "\"00\"")], Key), 400, "InvalidRequest");
        S3Assert.Error(await ListPartsAsync(server, "bucket", "k", uploadId, "", Key), 400, "InvalidRequest");

        // A part that waits for 100 Continue gets the refusal instead, and never sends its bytes.
        string path = $"/bucket/k?partNumber=1&uploadId={uploadId}";
        string signed = await PersistentSigner.SignAsync("PUT", new Uri(server.BaseUrl, path), null, [.. Key, "Expect:100-continue"]);
        using (RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port))
        {
            await client.SendAsync($"PUT {path} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {MinPart}\r\n{signed}\r\n");
            RawResponse refused = await client.ReadResponseAsync(timeoutSeconds: 5);
            S3Assert.Error(refused, 400, "InvalidRequest");
        }

        // Nothing came of any of it.
        Assert.Empty((await ListPartsAsync(server, "bucket", "k", uploadId)).XmlValues("Part"));
        Assert.Single((await SignedRequests.SendAsync(server, "GET", "/bucket?uploads", [])).XmlValues("Upload"));
        Assert.Equal(0, server.Stored.DataItemCount("bucket"));
    }
}
