using System.Security.Cryptography;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// ListParts and ListMultipartUploads page as S3 pages them: markers, truncation, prefixes,
/// delimiters folded into CommonPrefixes, and one key's uploads in the order they began.
/// </summary>
public sealed class MultipartListingTests
{
    [Fact]
    public async Task ListPartsPagesByPartNumber()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        string uploadId = await CreateAsync(server, "bucket", "k");
        int[] numbers = [1, 2, 3, 5, 8, 13, 10000];
        var etags = new Dictionary<int, string>();
        foreach (int number in numbers)
        {
            etags[number] = await UploadPartAsync(server, "bucket", "k", uploadId, number, RandomNumberGenerator.GetBytes(100 + number));
        }

        var seen = new List<int>();
        int marker = 0;
        for (int page = 0; ; page++)
        {
            Assert.True(page < 10, "ListParts never stopped");
            RawResponse listed = await ListPartsAsync(server, "bucket", "k", uploadId, $"&max-parts=2&part-number-marker={marker}");
            S3Assert.Status(listed, 200);
            List<int> got = listed.XmlValues("PartNumber").Select(int.Parse).ToList();
            Assert.Equal(marker.ToString(), listed.XmlValue("PartNumberMarker"));
            Assert.Equal("2", listed.XmlValue("MaxParts"));
            Assert.Equal(uploadId, listed.XmlValue("UploadId"));
            Assert.Equal(got.Select(n => etags[n]), listed.XmlValues("ETag"));
            Assert.Equal(got.Select(n => (100 + n).ToString()), listed.XmlValues("Size"));
            seen.AddRange(got);
            bool truncated = bool.Parse(listed.XmlValue("IsTruncated"));
            Assert.Equal(got[^1].ToString(), listed.XmlValue("NextPartNumberMarker"));
            if (!truncated)
            {
                Assert.Equal(3, page);
                break;
            }

            Assert.Equal(2, got.Count);
            marker = got[^1];
        }

        Assert.Equal(numbers, seen);

        // A marker between parts, and one past them all.
        Assert.Equal(["5", "8"], (await ListPartsAsync(server, "bucket", "k", uploadId, "&max-parts=2&part-number-marker=4")).XmlValues("PartNumber"));
        RawResponse after = await ListPartsAsync(server, "bucket", "k", uploadId, "&part-number-marker=10000");
        Assert.Empty(after.XmlValues("PartNumber"));
        Assert.Equal("false", after.XmlValue("IsTruncated"));

        // max-parts=0 lists nothing, and nothing a client could page on forever.
        RawResponse none = await ListPartsAsync(server, "bucket", "k", uploadId, "&max-parts=0");
        Assert.Empty(none.XmlValues("PartNumber"));
        Assert.Equal("false", none.XmlValue("IsTruncated"));

        S3Assert.Error(await ListPartsAsync(server, "bucket", "k", uploadId, "&max-parts=many"), 400, "InvalidArgument");
        S3Assert.Error(await ListPartsAsync(server, "bucket", "k", uploadId, "&max-parts=-1"), 400, "InvalidArgument");
        S3Assert.Error(await ListPartsAsync(server, "bucket", "k", uploadId, "&part-number-marker=x"), 400, "InvalidArgument");
    }

    [Fact]
    public async Task ListMultipartUploadsPagesFoldsAndKeepsInitiationOrder()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        string[] keys = ["photos/2024/b", "photos/2024/a", "readme", "photos/2025/c", "videos/x", "readme", "zeta"];
        var uploads = new List<(string Key, string UploadId)>();
        foreach (string key in keys)
        {
            uploads.Add((key, await CreateAsync(server, "bucket", key)));
        }

        // In key order; the two uploads of "readme" in the order they began.
        (string, string)[] all = [.. uploads.OrderBy(u => u.Key, StringComparer.Ordinal).ThenBy(u => uploads.IndexOf(u))];
        RawResponse listed = await ListUploadsAsync(server, "");
        Assert.Equal(all, Uploads(listed));
        Assert.Equal("false", listed.XmlValue("IsTruncated"));
        Assert.Empty(listed.XmlValues("CommonPrefixes"));

        Assert.Equal(all.Where(u => u.Item1.StartsWith("photos/", StringComparison.Ordinal)), Uploads(await ListUploadsAsync(server, "&prefix=photos%2F")));
        Assert.Empty(Uploads(await ListUploadsAsync(server, "&prefix=nothing")));

        listed = await ListUploadsAsync(server, "&delimiter=%2F");
        Assert.Equal(["photos/", "videos/"], listed.XmlValues("Prefix").Where(p => p.Length > 0));
        Assert.Equal(all.Where(u => !u.Item1.Contains('/')), Uploads(listed));
        Assert.Equal("/", listed.XmlValue("Delimiter"));

        listed = await ListUploadsAsync(server, "&prefix=photos%2F&delimiter=%2F");
        Assert.Equal(["photos/2024/", "photos/2025/"], listed.XmlValues("CommonPrefixes").ToList());
        Assert.Empty(Uploads(listed));

        // Paging by max-uploads with key-marker and upload-id-marker gives the whole list, once.
        foreach (int pageSize in new[] { 1, 2, 3 })
        {
            Assert.Equal(all, await PageAsync(server, "", pageSize));
        }

        // With a delimiter, a common prefix counts as one entry and is never listed twice.
        foreach (int pageSize in new[] { 1, 2 })
        {
            Assert.Equal(["photos/", "readme", "readme", "videos/", "zeta"], (await PageAsync(server, "&delimiter=%2F", pageSize)).Select(u => u.Key));
        }

        // A key-marker alone skips every upload of that key.
        Assert.Equal(all.Where(u => string.CompareOrdinal(u.Item1, "readme") > 0), Uploads(await ListUploadsAsync(server, "&key-marker=readme")));
        RawResponse none = await ListUploadsAsync(server, "&max-uploads=0");
        Assert.Empty(Uploads(none));
        Assert.Equal("false", none.XmlValue("IsTruncated"));
        S3Assert.Error(await ListUploadsAsync(server, "&max-uploads=lots"), 400, "InvalidArgument");
        S3Assert.Error(await ListUploadsAsync(server, "&key-marker=readme&upload-id-marker=nonsense"), 400, "InvalidArgument");

        // Completed and aborted uploads are no longer listed.
        S3Assert.Status(await AbortAsync(server, "bucket", "zeta", uploads[6].UploadId), 204);
        string etag = await UploadPartAsync(server, "bucket", "readme", uploads[2].UploadId, 1, "r"u8.ToArray());
        S3Assert.Status(await CompleteAsync(server, "bucket", "readme", uploads[2].UploadId, [new Part(1, etag)]), 200);
        Assert.Equal(all.Where(u => u.Item1 != "zeta" && u.Item2 != uploads[2].UploadId), Uploads(await ListUploadsAsync(server, "")));
    }

    /// <summary>
    /// An upload whose key has control characters lists exactly: boto3, which asks for no encoding
    /// here, reads the character references back; with encoding-type=url every echoed key, prefix,
    /// delimiter and marker comes percent-encoded, in ListMultipartUploads and ListParts alike.
    /// </summary>
    [Fact]
    public async Task ControlCharacterKeysListExactly()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await CreateBucketAsync(server, "bucket");
        const string key = "dir\r/a\r\nb\tc";
        string keyPath = SignedRequests.KeyPath(key);
        string uploadId = await CreateAsync(server, "bucket", keyPath);
        await CreateAsync(server, "bucket", "z");
        await Boto3.RunAsync(server, """
            key = args[0]
            plain = s3.list_multipart_uploads(Bucket="bucket")
            assert [u["Key"] for u in plain["Uploads"]] == [key, "z"], plain
            page = s3.list_multipart_uploads(Bucket="bucket", EncodingType="url", MaxUploads=1)
            assert page["EncodingType"] == "url" and page["NextKeyMarker"] == "dir%0D/a%0D%0Ab%09c", page
            assert [urllib.parse.unquote(u["Key"]) for u in page["Uploads"]] == [key], page
            folded = s3.list_multipart_uploads(Bucket="bucket", EncodingType="url", Prefix="dir\r", Delimiter="/", KeyMarker="c\r")
            assert (folded["Prefix"], folded["Delimiter"], folded["KeyMarker"]) == ("dir%0D", "/", "c%0D"), folded
            assert [p["Prefix"] for p in folded["CommonPrefixes"]] == ["dir%0D/"], folded
            """, key);

        RawResponse parts = await ListPartsAsync(server, "bucket", keyPath, uploadId);
        S3Assert.Status(parts, 200);
        Assert.Equal(key, parts.XmlValue("Key"));
        RawResponse encoded = await ListPartsAsync(server, "bucket", keyPath, uploadId, "&encoding-type=url");
        S3Assert.Status(encoded, 200);
        Assert.Equal("dir%0D/a%0D%0Ab%09c", encoded.XmlValue("Key"));
        Assert.Equal("url", encoded.XmlValue("EncodingType"));

        S3Assert.Error(await ListPartsAsync(server, "bucket", keyPath, uploadId, "&encoding-type=base64"), 400, "InvalidArgument");
        S3Assert.Error(await ListUploadsAsync(server, "&encoding-type=base64"), 400, "InvalidArgument");
    }

    private static Task<RawResponse> ListUploadsAsync(TestServer server, string query)
        => SignedRequests.SendAsync(server, "GET", $"/bucket?uploads{query}", []);

    private static List<(string Key, string UploadId)> Uploads(RawResponse listed)
    {
        S3Assert.Status(listed, 200);
        return listed.XmlValues("Key").Zip(listed.XmlValues("UploadId")).ToList();
    }

    /// <summary>Every page of a listing, uploads and common prefixes (with an empty id) in order.</summary>
    private static async Task<List<(string Key, string UploadId)>> PageAsync(TestServer server, string query, int pageSize)
    {
        var all = new List<(string, string)>();
        string markers = "";
        for (int page = 0; ; page++)
        {
            Assert.True(page < 20, "ListMultipartUploads never stopped");
            RawResponse listed = await ListUploadsAsync(server, $"{query}&max-uploads={pageSize}{markers}");
            S3Assert.Status(listed, 200);
            Assert.Equal(pageSize.ToString(), listed.XmlValue("MaxUploads"));
            List<(string, string)> entries = [.. Uploads(listed), .. listed.XmlValues("CommonPrefixes").Select(p => (p, ""))];
            Assert.True(entries.Count <= pageSize, listed.Describe());
            all.AddRange(entries.OrderBy(e => e.Item1, StringComparer.Ordinal));
            if (listed.XmlValue("IsTruncated") == "false")
            {
                Assert.Equal([""], listed.XmlValues("NextKeyMarker"));
                return all;
            }

            string nextKey = listed.XmlValue("NextKeyMarker");
            string nextId = listed.XmlValue("NextUploadIdMarker");
            Assert.Equal(all[^1].Item1, nextKey);
            Assert.Equal(all[^1].Item2, nextId);
            markers = $"&key-marker={Uri.EscapeDataString(nextKey)}&upload-id-marker={nextId}";
        }
    }
}
