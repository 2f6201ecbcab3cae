using System.Text;
using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// Keys that look like paths, escapes and store files stay keys; listings page through awkward keys
/// with and without delimiters exactly as a sorted, de-duplicated model says.
/// </summary>
public class KeysAndListingTests
{
    private static readonly string[] AwkwardKeys =
    [
        "../../escape", "../sibling-bucket/x", "a/../b", "./dot", "%2F..%2Fencoded", "%", "+plus", "space in key",
        "created", "index/MANIFEST", "data/00/object", ".fasts3/tmp/x", "a//double", "a/", "a/b/c", "a/b/d", "a/c",
        "ünï/cödé", "日本語/キー", "trailing/", "z", "~tilde", "!bang", "*star", "tab\there", "q?uery", "hash#frag",
    ];

    [Trait("Store", "Disk")]
    [Fact]
    public async Task AwkwardKeysRoundTripAndNeverEscapeTheirBucket()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Uri url = server.BaseUrl;
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "keys")).ExitCode);
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "sibling-bucket")).ExitCode);
        string body = Path.GetTempFileName();
        foreach (string key in AwkwardKeys)
        {
            File.WriteAllText(body, "content of " + key);
            var (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "put-object", "--bucket", "keys", "--key", key, "--body", body);
            Assert.True(exit == 0, $"{key}: {stderr}");
        }

        foreach (string key in AwkwardKeys)
        {
            var (exit, _, stderr) = await AwsCli.RunWarmAsync(url, "s3api", "get-object", "--bucket", "keys", "--key", key, body);
            Assert.True(exit == 0, $"{key}: {stderr}");
            Assert.Equal("content of " + key, File.ReadAllText(body));
        }

        File.Delete(body);
        string[] listed = await ListAll(url, "keys", pageSize: 4);
        Assert.Equal(AwkwardKeys.OrderBy(k => Encoding.UTF8.GetBytes(k), ByteOrder.Instance), listed);

        // Nothing appeared outside the bucket, and the sibling bucket is still empty.
        Assert.Empty(await ListAll(url, "sibling-bucket", pageSize: 1000));
        Assert.Equal(["keys", "sibling-bucket"], Directory.GetDirectories(Path.Combine(server.DataDir, "buckets")).Select(Path.GetFileName).Order());
        Assert.Equal(["buckets", ".fasts3"], Directory.GetFileSystemEntries(server.DataDir).Select(Path.GetFileName).OrderDescending());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1000)]
    public async Task DelimitedListingsPageLikeTheModel(int pageSize)
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        Uri url = server.BaseUrl;
        Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "create-bucket", "--bucket", "tree")).ExitCode);
        string[] keys = ["a", "a/", "a/1", "a/2/x", "a/2/y", "a/3", "a0", "b/1", "b/2", "b/3/4", "c", "c/", "c/d/e/f", "d//e", "e"];
        string body = Path.GetTempFileName();
        foreach (string key in keys)
        {
            Assert.Equal(0, (await AwsCli.RunWarmAsync(url, "s3api", "put-object", "--bucket", "tree", "--key", key, "--body", body)).ExitCode);
        }

        File.Delete(body);
        foreach ((string prefix, string delimiter) in new[] { ("", "/"), ("a/", "/"), ("a", "/"), ("b/", ""), ("", "2"), ("c/", "/"), ("z", "/") })
        {
            var expected = new List<string>();
            foreach (string key in keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
            {
                int fold = delimiter.Length == 0 ? -1 : key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
                string entry = fold < 0 ? key : key[..(fold + delimiter.Length)];
                if (!expected.Contains(entry))
                {
                    expected.Add(entry);
                }
            }

            // Within a page S3 lists keys and common prefixes apart, so compare as sorted sets.
            expected.Sort(StringComparer.Ordinal);
            Assert.Equal(expected, (await ListAll(url, "tree", pageSize, prefix, delimiter)).Order(StringComparer.Ordinal));
            Assert.Equal(expected, await ListAllV1(url, "tree", pageSize, prefix, delimiter));
        }
    }

    /// <summary>
    /// Keys with control characters list exactly. botocore asks for encoding-type=url and decodes
    /// every echoed key, prefix, delimiter and marker; without it they are character references,
    /// so a CR reads back as CR, not as the LF an XML parser makes of a raw one.
    /// </summary>
    [Fact]
    public async Task ControlCharacterKeysListExactly()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "ctl");
        string[] keys = ["lines/a\r\nb\rc\nd\te", "lines/z", "other/\u0001\u001f\r"];
        foreach (string key in keys)
        {
            await RawMultipart.PutObjectAsync(server, "ctl", SignedRequests.KeyPath(key), "x"u8.ToArray());
        }

        await Boto3.RunAsync(server, """
            keys = json.loads(args[0])
            assert [o["Key"] for o in s3.list_objects_v2(Bucket="ctl")["Contents"]] == keys
            assert [o["Key"] for o in s3.list_objects(Bucket="ctl")["Contents"]] == keys
            assert [v["Key"] for v in s3.list_object_versions(Bucket="ctl")["Versions"]] == keys
            v2 = s3.list_objects_v2(Bucket="ctl", Prefix="lines/", Delimiter="\r", StartAfter="lines/a\r")
            assert (v2["Delimiter"], v2["StartAfter"], [o["Key"] for o in v2["Contents"]]) == ("\r", "lines/a\r", ["lines/z"]), v2
            for list, entries, marker, next in ((s3.list_objects, "Contents", "Marker", "NextMarker"), (s3.list_object_versions, "Versions", "KeyMarker", "NextKeyMarker")):
                first = list(Bucket="ctl", Prefix="lines/", Delimiter="\r", MaxKeys=1)
                assert (first["Delimiter"], first["CommonPrefixes"], first[next]) == ("\r", [{"Prefix": "lines/a\r"}], "lines/a\r"), first
                rest = list(Bucket="ctl", Prefix="lines/", Delimiter="\r", **{marker: first[next]})
                assert (rest[marker], [o["Key"] for o in rest[entries]]) == ("lines/a\r", ["lines/z"]), rest
            """, JsonSerializer.Serialize(keys));

        foreach (string list in new[] { "list-type=2&", "", "versions&" })
        {
            RawResponse lines = await SignedRequests.SendAsync(server, "GET", $"/ctl?{list}prefix=lines%2F", []);
            S3Assert.Status(lines, 200);
            Assert.Contains("<Key>lines/a&#xD;&#xA;b&#xD;c&#xA;d&#x9;e</Key>", lines.BodyText);
            Assert.Equal(keys[..2], lines.XmlValues("Key"));

            // Characters XML 1.0 has no place for at all are written alike, as S3 writes them (which is why clients ask for encoding-type=url).
            RawResponse other = await SignedRequests.SendAsync(server, "GET", $"/ctl?{list}prefix=other%2F", []);
            S3Assert.Status(other, 200);
            Assert.Contains("<Key>other/&#x1;&#x1F;&#xD;</Key>", other.BodyText);
        }
    }

    /// <summary>A key that is not UTF-8 is refused before anything is looked up or stored, as S3 refuses it; so is a copy source's.</summary>
    [Fact]
    public async Task KeysThatAreNotUtf8AreRefused()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "bytes");
        await RawMultipart.PutObjectAsync(server, "bytes", "source", "x"u8.ToArray());

        // Not UTF-8: stray bytes, a lone continuation byte, an overlong '/', an encoded surrogate.
        foreach (string key in new[] { "%FF%FE", "a%80", "%C0%AFescape", "%ED%A0%80" })
        {
            S3Assert.Error(await SignedRequests.SendAsync(server, "PUT", $"/bytes/{key}", "data"u8.ToArray()), 400, "InvalidURI");
            S3Assert.Error(await SignedRequests.SendAsync(server, "GET", $"/bytes/{key}", []), 400, "InvalidURI");
            S3Assert.Error(await SignedRequests.SendAsync(server, "HEAD", $"/bytes/{key}", []), 400, null);
            S3Assert.Error(await SignedRequests.SendAsync(server, "DELETE", $"/bytes/{key}", []), 400, "InvalidURI");
            S3Assert.Error(await SignedRequests.SendAsync(server, "POST", $"/bytes/{key}?uploads", []), 400, "InvalidURI");
            S3Assert.Error(await SignedRequests.SendAsync(server, "PUT", $"/bytes/{key}", [], "x-amz-copy-source:bytes/source"), 400, "InvalidURI");
            S3Assert.Error(await SignedRequests.SendAsync(server, "GET", $"/no-such-bucket/{key}", []), 400, "InvalidURI");

            RawResponse copy = await SignedRequests.SendAsync(server, "PUT", "/bytes/copy", [], $"x-amz-copy-source:bytes/{key}");
            S3Assert.Error(copy, 400, "InvalidArgument");
            Assert.Equal("Invalid copy source encoding", copy.XmlValue("Message"));
        }

        string uploadId = await RawMultipart.CreateAsync(server, "bytes", "parts");
        RawResponse partCopy = await SignedRequests.SendAsync(server, "PUT", $"/bytes/parts?partNumber=1&uploadId={uploadId}", [], "x-amz-copy-source:/bytes/%FF%FE");
        S3Assert.Error(partCopy, 400, "InvalidArgument");
        Assert.Equal("Invalid copy source encoding", partCopy.XmlValue("Message"));

        // Nothing was stored, as an object or an upload.
        Assert.Equal(["source"], (await SignedRequests.SendAsync(server, "GET", "/bytes?list-type=2", [])).XmlValues("Key"));
        Assert.Equal(["parts"], (await SignedRequests.SendAsync(server, "GET", "/bytes?uploads", [])).XmlValues("Key"));
    }

    /// <summary>A listing echoes its prefix, delimiter and markers back in XML, which carries only UTF-8: S3 refuses any that is not.</summary>
    [Fact]
    public async Task ListingParametersThatAreNotUtf8AreRefused()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "bytes");
        string[] queries =
        [
            "prefix=%FF", "delimiter=%C3", "marker=a%80",
            "list-type=2&prefix=%FF", "list-type=2&delimiter=%FF", "list-type=2&start-after=%ED%A0%80",
            "versions&prefix=%FF", "versions&key-marker=%FF",
            "uploads&prefix=%FF", "uploads&delimiter=%FF", "uploads&key-marker=%FF", "uploads&key-marker=a&upload-id-marker=%FF",

            // Nor is an encoding-type too long to be "url" taken for none.
            "list-type=2&encoding-type=url-encoded", "uploads&encoding-type=url-encoded",
        ];
        foreach (string query in queries)
        {
            RawResponse listed = await SignedRequests.SendAsync(server, "GET", $"/bytes?{query}", []);
            Assert.True(listed.Status == 400 && listed.ErrorCode() == "InvalidArgument", $"{query}: {listed.Describe()}");
        }
    }

    /// <summary>Every key and common prefix, following continuation tokens page by page.</summary>
    private static async Task<string[]> ListAll(Uri url, string bucket, int pageSize, string prefix = "", string delimiter = "")
    {
        var entries = new List<string>();
        string? token = null;
        do
        {
            var arguments = new List<string> { "s3api", "list-objects-v2", "--bucket", bucket, "--max-keys", pageSize.ToString(), "--prefix", prefix, "--no-paginate" };
            if (delimiter.Length > 0)
            {
                arguments.AddRange(["--delimiter", delimiter]);
            }

            if (token is not null)
            {
                arguments.AddRange(["--continuation-token", token]);
            }

            using JsonDocument page = await Run(url, arguments);
            entries.AddRange(Entries(page.RootElement));
            Assert.True(page.RootElement.GetProperty("KeyCount").GetInt32() <= pageSize);
            token = page.RootElement.GetProperty("IsTruncated").GetBoolean() ? page.RootElement.GetProperty("NextContinuationToken").GetString() : null;
        }
        while (token is not null);

        return [.. entries];
    }

    private static async Task<string[]> ListAllV1(Uri url, string bucket, int pageSize, string prefix, string delimiter)
    {
        var entries = new List<string>();
        string? marker = null;
        do
        {
            var arguments = new List<string> { "s3api", "list-objects", "--bucket", bucket, "--max-keys", pageSize.ToString(), "--prefix", prefix, "--no-paginate" };
            if (delimiter.Length > 0)
            {
                arguments.AddRange(["--delimiter", delimiter]);
            }

            if (marker is not null)
            {
                arguments.AddRange(["--marker", marker]);
            }

            using JsonDocument page = await Run(url, arguments);
            string[] pageEntries = [.. Entries(page.RootElement)];
            entries.AddRange(pageEntries);
            bool truncated = page.RootElement.TryGetProperty("IsTruncated", out JsonElement t) && t.GetBoolean();
            marker = !truncated ? null
                : page.RootElement.TryGetProperty("NextMarker", out JsonElement next) ? next.GetString()
                : pageEntries.Max(StringComparer.Ordinal);
        }
        while (marker is not null);

        return [.. entries.Order(StringComparer.Ordinal)];
    }

    private static IEnumerable<string> Entries(JsonElement page)
    {
        if (page.TryGetProperty("Contents", out JsonElement contents))
        {
            foreach (JsonElement item in contents.EnumerateArray())
            {
                yield return item.GetProperty("Key").GetString()!;
            }
        }

        if (page.TryGetProperty("CommonPrefixes", out JsonElement prefixes))
        {
            foreach (JsonElement item in prefixes.EnumerateArray())
            {
                yield return item.GetProperty("Prefix").GetString()!;
            }
        }
    }

    private static async Task<JsonDocument> Run(Uri url, List<string> arguments)
    {
        var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(url, [.. arguments]);
        Assert.True(exit == 0, stderr);
        return JsonDocument.Parse(stdout.Length == 0 ? "{}" : stdout);
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
