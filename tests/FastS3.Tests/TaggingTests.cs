using System.Text;
using FastS3.Basics;
using FastS3.Tests.Hosting;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// Object and bucket tagging with aws-cli, boto3 and raw signed requests over TLS: the calls, tags
/// set by writes (x-amz-tagging on PutObject, CreateMultipartUpload and CopyObject, with its
/// directive), the tag count GET and HEAD report, S3's limits and errors, SSE-C objects tagged
/// without their key, a tag update racing overwrites, and tags across a restart.
/// </summary>
public sealed class TaggingTests(TaggingTests.Fixture fixture) : IClassFixture<TaggingTests.Fixture>
{
    private const string Bucket = "tagging";

    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override async Task PrepareAsync(InProcessServer server)
        {
            await RawMultipart.CreateBucketAsync(server, Bucket);
            await RawMultipart.PutObjectAsync(server, Bucket, "untagged", [1, 2, 3]);
        }
    }

    private InProcessServer Server => fixture.Server;

    [Fact]
    public async Task ObjectTagsRoundTripAndLeaveTheObjectAsItWas()
    {
        string result = await Boto3.RunAsync(Server, """
            put = s3.put_object(Bucket=args[0], Key="round", Body=b"content", Tagging="team=a&empty=")
            before = s3.head_object(Bucket=args[0], Key="round")
            print(s3.get_object_tagging(Bucket=args[0], Key="round")["TagSet"])
            got = s3.get_object(Bucket=args[0], Key="round")
            print(got["TagCount"], got["Body"].read().decode(), before["TagCount"], before["ResponseMetadata"]["HTTPHeaders"]["x-amz-tagging-count"])
            out = s3.put_object_tagging(Bucket=args[0], Key="round", Tagging={"TagSet": [{"Key": "only", "Value": "one"}]})
            print(out["ResponseMetadata"]["HTTPStatusCode"], s3.get_object_tagging(Bucket=args[0], Key="round")["TagSet"])
            after = s3.head_object(Bucket=args[0], Key="round")
            assert (after["ETag"], after["LastModified"]) == (before["ETag"], before["LastModified"]), (before, after)
            out = s3.delete_object_tagging(Bucket=args[0], Key="round")
            print(out["ResponseMetadata"]["HTTPStatusCode"], s3.get_object_tagging(Bucket=args[0], Key="round")["TagSet"])
            head = s3.head_object(Bucket=args[0], Key="round")
            print("TagCount" in head, "x-amz-tagging-count" in head["ResponseMetadata"]["HTTPHeaders"], s3.get_object(Bucket=args[0], Key="round")["Body"].read().decode())
            print(s3.get_object_tagging(Bucket=args[0], Key="untagged")["TagSet"])
            """, Bucket);
        Assert.Equal([
            "[{'Key': 'team', 'Value': 'a'}, {'Key': 'empty', 'Value': ''}]",
            "2 content 2 2",
            "200 [{'Key': 'only', 'Value': 'one'}]",
            "204 []",
            "False False content",
            "[]",
        ], Lines(result));
    }

    [Fact]
    public async Task AwsCliTagsObjectsAndCopies()
    {
        string body = Path.GetTempFileName();
        File.WriteAllText(body, "cli body");
        try
        {
            await Cli("s3api", "put-object", "--bucket", Bucket, "--key", "cli", "--body", body, "--tagging", "project=blue&tier=1");
            Assert.Contains("\"TagCount\": 2", await Cli("s3api", "head-object", "--bucket", Bucket, "--key", "cli"));
            Assert.Equal("project=blue tier=1", await TagsAsync("cli"));

            await Cli("s3api", "put-object-tagging", "--bucket", Bucket, "--key", "cli", "--tagging", "TagSet=[{Key=project,Value=green}]");
            Assert.Equal("project=green", await TagsAsync("cli"));

            // COPY (the default) keeps the source's tags; REPLACE takes the request's.
            await Cli("s3api", "copy-object", "--bucket", Bucket, "--key", "cli-copy", "--copy-source", $"{Bucket}/cli", "--tagging", "ignored=yes");
            Assert.Equal("project=green", await TagsAsync("cli-copy"));
            await Cli("s3api", "copy-object", "--bucket", Bucket, "--key", "cli-copy", "--copy-source", $"{Bucket}/cli", "--tagging-directive", "COPY");
            Assert.Equal("project=green", await TagsAsync("cli-copy"));
            await Cli("s3api", "copy-object", "--bucket", Bucket, "--key", "cli-replaced", "--copy-source", $"{Bucket}/cli", "--tagging-directive", "REPLACE", "--tagging", "copied=replaced");
            Assert.Equal("copied=replaced", await TagsAsync("cli-replaced"));
            await Cli("s3api", "copy-object", "--bucket", Bucket, "--key", "cli-untagged", "--copy-source", $"{Bucket}/cli", "--tagging-directive", "REPLACE");
            Assert.Equal("", await TagsAsync("cli-untagged"));
            Assert.DoesNotContain("TagCount", await Cli("s3api", "head-object", "--bucket", Bucket, "--key", "cli-untagged"));

            await Cli("s3api", "delete-object-tagging", "--bucket", Bucket, "--key", "cli");
            Assert.Equal("", await TagsAsync("cli"));
            Assert.Equal("project=green", await TagsAsync("cli-copy"));
        }
        finally
        {
            File.Delete(body);
        }
    }

    [Fact]
    public async Task AnUnknownTaggingDirectiveIsRefused()
    {
        string result = await Boto3.RunAsync(Server, """
            print(outcome(lambda: s3.copy_object(Bucket=args[0], Key="directive", CopySource={"Bucket": args[0], "Key": "untagged"}, TaggingDirective="MERGE")))
            print(outcome(lambda: s3.head_object(Bucket=args[0], Key="directive")))
            """, Bucket);
        Assert.Equal(["400 InvalidArgument", "404 404"], Lines(result));
    }

    [Fact]
    public async Task AMultipartUploadsTagsAreSetWhenItCompletes()
    {
        string uploadId = (await Cli("s3api", "create-multipart-upload", "--bucket", Bucket, "--key", "mpu", "--tagging", "stage=done&n=2", "--query", "UploadId", "--output", "text")).Trim();
        string part = Path.GetTempFileName();
        File.WriteAllBytes(part, new byte[1000]);
        try
        {
            string etag = (await Cli("s3api", "upload-part", "--bucket", Bucket, "--key", "mpu", "--upload-id", uploadId, "--part-number", "1", "--body", part, "--query", "ETag", "--output", "text")).Trim();
            Assert.Equal(404, (await SignedRequests.SendAsync(Server, "GET", $"/{Bucket}/mpu?tagging", [])).Status);
            await Cli("s3api", "complete-multipart-upload", "--bucket", Bucket, "--key", "mpu", "--upload-id", uploadId,
                "--multipart-upload", $"{{\"Parts\": [{{\"PartNumber\": 1, \"ETag\": {etag}}}]}}");
            Assert.Equal("stage=done n=2", await TagsAsync("mpu"));
            Assert.Contains("\"TagCount\": 2", await Cli("s3api", "head-object", "--bucket", Bucket, "--key", "mpu"));
        }
        finally
        {
            File.Delete(part);
        }
    }

    [Fact]
    public async Task BucketTagsRoundTrip()
    {
        await RawMultipart.CreateBucketAsync(Server, "tagged-bucket");
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(Server.BaseUrl, "s3api", "get-bucket-tagging", "--bucket", "tagged-bucket");
        Assert.True(exit != 0 && stderr.Contains("(NoSuchTagSet)"), stderr);
        await Cli("s3api", "put-bucket-tagging", "--bucket", "tagged-bucket", "--tagging", "TagSet=[{Key=cost-centre,Value=42},{Key=owner,Value=ops}]");
        Assert.Equal("cost-centre=42 owner=ops", Pairs(await Cli("s3api", "get-bucket-tagging", "--bucket", "tagged-bucket", "--query", "TagSet[].[Key,Value]", "--output", "text")));

        // Bucket tags are not objects: the bucket lists nothing and can be deleted with them.
        Assert.DoesNotContain("Contents", await Cli("s3api", "list-objects-v2", "--bucket", "tagged-bucket"));
        string result = await Boto3.RunAsync(Server, """
            print(s3.put_bucket_tagging(Bucket=args[0], Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})["ResponseMetadata"]["HTTPStatusCode"])
            print(s3.get_bucket_tagging(Bucket=args[0])["TagSet"])
            print(s3.delete_bucket_tagging(Bucket=args[0])["ResponseMetadata"]["HTTPStatusCode"])
            print(outcome(lambda: s3.get_bucket_tagging(Bucket=args[0])))
            s3.put_bucket_tagging(Bucket=args[0], Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
            s3.delete_bucket(Bucket=args[0])
            for call in (s3.get_bucket_tagging, s3.delete_bucket_tagging, lambda Bucket: s3.put_bucket_tagging(Bucket=Bucket, Tagging={"TagSet": []})):
                print(outcome(lambda: call(Bucket=args[0])))
            """, "tagged-bucket");
        Assert.Equal(["204", "[{'Key': 'k', 'Value': 'v'}]", "204", "404 NoSuchTagSet", "404 NoSuchBucket", "404 NoSuchBucket", "404 NoSuchBucket"], Lines(result));
    }

    [Fact]
    public async Task TagSetsBreakingS3sRulesAreRefusedAndChangeNothing()
    {
        string result = await Boto3.RunAsync(Server, """
            s3.put_object(Bucket=args[0], Key="limits", Body=b"x", Tagging="kept=yes")
            s3.put_bucket_tagging(Bucket=args[0], Tagging={"TagSet": [{"Key": "kept", "Value": "yes"}]})
            def tags(n, key="k", value="v"):
                return {"TagSet": [{"Key": f"{key}{i}", "Value": value} for i in range(n)]}
            def one(key, value="v"):
                return {"TagSet": [{"Key": key, "Value": value}]}
            refused = [
                tags(11),
                {"TagSet": [{"Key": "same", "Value": "1"}, {"Key": "same", "Value": "2"}]},
                one("aws:reserved"),
                one("AWS:reserved"),
                one("k" * 129),
                one("k", "v" * 257),
                one("star*"),
                one("k", "question?"),
                one("k", "tab\tinside"),
                one("amp&"),
                one("k", "<angle>"),
                one("k", "euro€"),
            ]
            for tagging in refused:
                print(outcome(lambda: s3.put_object_tagging(Bucket=args[0], Key="limits", Tagging=tagging)))
            print(s3.get_object_tagging(Bucket=args[0], Key="limits")["TagSet"])
            print(outcome(lambda: s3.put_bucket_tagging(Bucket=args[0], Tagging=tags(51))), outcome(lambda: s3.put_bucket_tagging(Bucket=args[0], Tagging=one("aws:x"))))
            print(s3.get_bucket_tagging(Bucket=args[0])["TagSet"])
            # At the limits: accepted.
            at_limits = {"TagSet": [{"Key": "k" * 127 + str(i), "Value": "v" * 256} for i in range(10)]}
            s3.put_object_tagging(Bucket=args[0], Key="limits", Tagging=at_limits)
            print(s3.get_object_tagging(Bucket=args[0], Key="limits")["TagSet"] == at_limits["TagSet"])
            s3.put_bucket_tagging(Bucket=args[0], Tagging=tags(50, "b" * 126, "w" * 256))
            print(len(s3.get_bucket_tagging(Bucket=args[0])["TagSet"]))
            s3.delete_bucket_tagging(Bucket=args[0])
            """, Bucket);
        Assert.Equal([
            "400 BadRequest",
            .. Enumerable.Repeat("400 InvalidTag", 11),
            "[{'Key': 'kept', 'Value': 'yes'}]",
            "400 BadRequest 400 InvalidTag",
            "[{'Key': 'kept', 'Value': 'yes'}]",
            "True",
            "50",
        ], Lines(result));
    }

    [Theory]
    [InlineData("<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet>", 400, "MalformedXML")]
    [InlineData("<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>", 400, "MalformedXML")]
    [InlineData("<Tagging><TagSet><Tag><Value>v</Value></Tag></TagSet></Tagging>", 400, "MalformedXML")]
    [InlineData("<Tagging><TagSet><Tag><Key>k</Key><Key>l</Key><Value>v</Value></Tag></TagSet></Tagging>", 400, "MalformedXML")]
    [InlineData("<Tagging></Tagging>", 400, "MalformedXML")]
    [InlineData("<Other><TagSet/></Other>", 400, "MalformedXML")]
    [InlineData("", 400, "MalformedXML")]
    [InlineData("<!DOCTYPE x [<!ENTITY e \"v\">]><Tagging><TagSet><Tag><Key>k</Key><Value>&e;</Value></Tag></TagSet></Tagging>", 400, "MalformedXML")]
    [InlineData("<Tagging><TagSet><Tag><Key></Key><Value>v</Value></Tag></TagSet></Tagging>", 400, "InvalidTag")]
    [InlineData("<Tagging><TagSet><Tag><Key>a&amp;b</Key><Value>v</Value></Tag></TagSet></Tagging>", 400, "InvalidTag")]
    [InlineData("<Tagging><TagSet><Tag><Key>k</Key><Value>&lt;script&gt;</Value></Tag></TagSet></Tagging>", 400, "InvalidTag")]
    public async Task MalformedOrInvalidTaggingDocumentsAreRefused(string document, int status, string code)
        => S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/untagged?tagging", Encoding.UTF8.GetBytes(document)), status, code);

    [Fact]
    public async Task TaggingBodiesAreBoundedAndHeldToTheirDigest()
    {
        string tag = "<Tag><Key>k</Key><Value>v</Value></Tag>";
        byte[] huge = Encoding.UTF8.GetBytes($"<Tagging><TagSet>{string.Concat(Enumerable.Repeat(tag, 4000))}</TagSet></Tagging>");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/untagged?tagging", huge), 400, "MaxMessageLengthExceeded");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?tagging", huge, "Content-MD5:1B2M2Y8AsgTpgAmY7PhCfg=="), 400, "MaxMessageLengthExceeded");

        // PutBucketTagging must carry a digest (as on S3); a wrong one is refused either way.
        byte[] document = Encoding.UTF8.GetBytes($"<Tagging><TagSet>{tag}</TagSet></Tagging>");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?tagging", document), 400, "InvalidRequest");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?tagging", document, "Content-MD5:1B2M2Y8AsgTpgAmY7PhCfg=="), 400, "BadDigest");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/untagged?tagging", document, "Content-MD5:1B2M2Y8AsgTpgAmY7PhCfg=="), 400, "BadDigest");
        Assert.Equal([], (await SignedRequests.SendAsync(Server, "GET", $"/{Bucket}/untagged?tagging", [])).XmlValues("Key"));
        S3Assert.Status(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?tagging", document, $"Content-MD5:{Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(document))}"), 204);
        S3Assert.Status(await SignedRequests.SendAsync(Server, "DELETE", $"/{Bucket}?tagging", []), 204);
    }

    [Fact]
    public async Task MissingObjectsBucketsAndVersionsAreS3Errors()
    {
        byte[] document = Encoding.UTF8.GetBytes("<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>");
        foreach (string method in new[] { "GET", "PUT", "DELETE" })
        {
            byte[] body = method == "PUT" ? document : [];
            S3Assert.Error(await SignedRequests.SendAsync(Server, method, $"/{Bucket}/missing?tagging", body), 404, "NoSuchKey");
            S3Assert.Error(await SignedRequests.SendAsync(Server, method, "/no-such-bucket/key?tagging", body), 404, "NoSuchBucket");
            S3Assert.Error(await SignedRequests.SendAsync(Server, method, $"/{Bucket}/untagged?tagging&versionId=v1", body), 400, "InvalidArgument");
        }

        S3Assert.Error(await SignedRequests.SendAsync(Server, "GET", "/no-such-bucket?tagging", []), 404, "NoSuchBucket");
        S3Assert.Status(await SignedRequests.SendAsync(Server, "GET", $"/{Bucket}/untagged?tagging&versionId=null", []), 200);
    }

    [Theory]
    [InlineData("a=1&b=2", "a=1 b=2")]
    [InlineData("&&solo&", "solo=")]
    [InlineData("k=", "k=")]
    [InlineData("k=a=b", "k=a=b")]
    [InlineData("k=a%3Db", "k=a=b")]
    [InlineData("two+words=and+more", "two words=and more")]
    [InlineData("plus%2B=%2B", "plus+=+")]
    [InlineData("%C3%A9t%C3%A9=%E6%97%A5%E6%9C%AC", "été=日本")]
    [InlineData("", "")]
    public async Task TheTaggingHeaderIsDecodedAsAUrlQuery(string header, string expected)
    {
        string key = $"header-{Guid.NewGuid():N}";
        S3Assert.Status(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/{key}", [1], $"x-amz-tagging:{header}"), 200);
        RawResponse tags = await SignedRequests.SendAsync(Server, "GET", $"/{Bucket}/{key}?tagging", []);
        Assert.Equal(expected, string.Join(' ', tags.XmlValues("Key").Zip(tags.XmlValues("Value"), (k, v) => $"{k}={v}")));
    }

    [Theory]
    [InlineData("k%", "InvalidArgument")]
    [InlineData("k=%4", "InvalidArgument")]
    [InlineData("k=%G1", "InvalidArgument")]
    [InlineData("=v", "InvalidArgument")]
    [InlineData("k=1&k=2", "InvalidArgument")]
    [InlineData("%FF=v", "InvalidArgument")]
    [InlineData("k%25=v", "InvalidTag")]
    [InlineData("k=50%25", "InvalidTag")]
    [InlineData("aws%3Akey=v", "InvalidTag")]
    [InlineData("a*=1", "InvalidTag")]
    [InlineData("k=%26", "InvalidTag")]
    [InlineData("a&b&c&d&e&f&g&h&i&j&k", "BadRequest")]
    public async Task ABadTaggingHeaderRefusesTheWrite(string header, string code)
    {
        string key = $"refused-{Guid.NewGuid():N}";
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/{key}", [1], $"x-amz-tagging:{header}"), 400, code);
        S3Assert.Error(await SignedRequests.SendAsync(Server, "POST", $"/{Bucket}/{key}?uploads", [], $"x-amz-tagging:{header}"), 400, code);
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/{key}", [], $"x-amz-copy-source:/{Bucket}/untagged", "x-amz-tagging-directive:REPLACE", $"x-amz-tagging:{header}"), 400, code);
        S3Assert.Error(await SignedRequests.SendAsync(Server, "HEAD", $"/{Bucket}/{key}", []), 404, null);
    }

    [Fact]
    public async Task NonAsciiTagsAndCharacterReferencesRoundTripExactly()
    {
        // Letters, digits and spaces of any script (U+00A0 and U+2028 are spaces too), and an XML
        // character reference for a letter; what XML escapes (& < > " ') S3 does not allow in tags.
        string result = await Boto3.RunAsync(Server, """
            tagset = [{"Key": "naïve 日本語", "Value": "Ελληνικά ١٢٣"}, {"Key": "nbsp\u00a0here", "Value": "line\u2028sep"}, {"Key": "k:/=+-@_.", "Value": ""}]
            s3.put_object(Bucket=args[0], Key="unicode", Body=b"x")
            s3.put_object_tagging(Bucket=args[0], Key="unicode", Tagging={"TagSet": tagset})
            print(s3.get_object_tagging(Bucket=args[0], Key="unicode")["TagSet"] == tagset)
            s3.put_object(Bucket=args[0], Key="unicode-header", Body=b"x", Tagging=urllib.parse.urlencode({t["Key"]: t["Value"] for t in tagset}))
            print(s3.get_object_tagging(Bucket=args[0], Key="unicode-header")["TagSet"] == tagset)
            """, Bucket);
        Assert.Equal(["True", "True"], Lines(result));

        byte[] document = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Tagging xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n  <TagSet>\n    <Tag><Key>&#x41;&#233;</Key><Value> spaced </Value></Tag>\n  </TagSet>\n</Tagging>");
        S3Assert.Status(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/unicode?tagging", document), 200);
        RawResponse tags = await SignedRequests.SendAsync(Server, "GET", $"/{Bucket}/unicode?tagging", []);
        Assert.Equal(["Aé"], tags.XmlValues("Key"));
        Assert.Equal([" spaced "], tags.XmlValues("Value"));
    }

    [Fact]
    public async Task AnSseCObjectsTagsNeedNoKeyButItsContentStillDoes()
    {
        string result = await Boto3.RunAsync(Server, """
            key, other = b"k" * 32, b"o" * 32
            sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": key}
            s3.put_object(Bucket=args[0], Key="sealed", Body=b"secret", Tagging="class=secret", **sse)
            print(s3.get_object_tagging(Bucket=args[0], Key="sealed")["TagSet"])
            s3.put_object_tagging(Bucket=args[0], Key="sealed", Tagging={"TagSet": [{"Key": "class", "Value": "public"}, {"Key": "n", "Value": "2"}]})
            print(outcome(lambda: s3.head_object(Bucket=args[0], Key="sealed")), outcome(lambda: s3.get_object(Bucket=args[0], Key="sealed")))
            print(outcome(lambda: s3.head_object(Bucket=args[0], Key="sealed", SSECustomerAlgorithm="AES256", SSECustomerKey=other)))
            got = s3.get_object(Bucket=args[0], Key="sealed", **sse)
            print(got["TagCount"], got["Body"].read().decode(), s3.head_object(Bucket=args[0], Key="sealed", **sse)["TagCount"])
            # A key rotation keeps the tags; a rotation with REPLACE sets the request's.
            s3.copy_object(Bucket=args[0], Key="sealed", CopySource={"Bucket": args[0], "Key": "sealed"}, CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=key,
                           SSECustomerAlgorithm="AES256", SSECustomerKey=other)
            print(s3.get_object_tagging(Bucket=args[0], Key="sealed")["TagSet"])
            s3.copy_object(Bucket=args[0], Key="sealed", CopySource={"Bucket": args[0], "Key": "sealed"}, CopySourceSSECustomerAlgorithm="AES256", CopySourceSSECustomerKey=other,
                           SSECustomerAlgorithm="AES256", SSECustomerKey=key, TaggingDirective="REPLACE", Tagging="rotated=yes")
            print(s3.get_object_tagging(Bucket=args[0], Key="sealed")["TagSet"], s3.get_object(Bucket=args[0], Key="sealed", **sse)["Body"].read().decode())
            s3.delete_object_tagging(Bucket=args[0], Key="sealed")
            print(s3.get_object_tagging(Bucket=args[0], Key="sealed")["TagSet"], "TagCount" in s3.head_object(Bucket=args[0], Key="sealed", **sse))
            """, Bucket);
        Assert.Equal([
            "[{'Key': 'class', 'Value': 'secret'}]",
            "400 400 400 InvalidRequest",
            "403 403",
            "2 secret 2",
            "[{'Key': 'class', 'Value': 'public'}, {'Key': 'n', 'Value': '2'}]",
            "[{'Key': 'rotated', 'Value': 'yes'}] secret",
            "[] False",
        ], Lines(result));
    }

    /// <summary>
    /// A tag update that lost a race with an overwrite must tag the new object, never write the old
    /// record back: that would resurrect the old content (inline) or point at a deleted data file.
    /// </summary>
    [Theory]
    [InlineData(16)]
    [InlineData(40 * 1024)]
    public async Task ATagUpdateRacingOverwritesNeverResurrectsTheOldObject(int size)
    {
        string key = $"race-{size}";
        byte[] document = Encoding.UTF8.GetBytes("<Tagging><TagSet><Tag><Key>raced</Key><Value>yes</Value></Tag></TagSet></Tagging>");
        for (int round = 0; round < 30; round++)
        {
            byte[] old = Content(size, round * 2);
            byte[] fresh = Content(size, (round * 2) + 1);
            await RawMultipart.PutObjectAsync(Server, Bucket, key, old);
            Task<RawResponse> tagging = SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/{key}?tagging", document);
            Task<RawResponse> overwrite = SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/{key}", fresh);
            S3Assert.Status(await overwrite, 200);
            S3Assert.Status(await tagging, 200);
            RawResponse read = await SignedRequests.SendAsync(Server, "GET", $"/{Bucket}/{key}", []);
            S3Assert.Status(read, 200);
            Assert.True(read.Body.AsSpan().SequenceEqual(fresh), $"round {round}: the overwritten content came back");
        }
    }

    [Trait("Store", "Disk")]
    [Fact]
    public async Task TagsSurviveARestart()
    {
        string dataDir;
        string certs;
        string uploadId;
        await using (InProcessServer first = await InProcessServer.StartAsync())
        {
            await RawMultipart.CreateBucketAsync(first, "kept");
            await RawMultipart.PutObjectAsync(first, "kept", "small", [1], "x-amz-tagging:size=small");
            await RawMultipart.PutObjectAsync(first, "kept", "large", new byte[100_000], "x-amz-tagging:size=large");
            await Boto3.RunAsync(first, """
                s3.put_object_tagging(Bucket="kept", Key="small", Tagging={"TagSet": [{"Key": "size", "Value": "tiny"}, {"Key": "n", "Value": "1"}]})
                s3.put_bucket_tagging(Bucket="kept", Tagging={"TagSet": [{"Key": "bucket", "Value": "kept"}]})
                """);
            uploadId = await RawMultipart.CreateAsync(first, "kept", "upload", "x-amz-tagging:from=create");
            dataDir = first.DataDir;
            certs = first.CertsDir;
            first.KeepDataDir = true;
        }

        await using InProcessServer second = await InProcessServer.StartAsync(certsDir: certs, dataDir: dataDir);
        string etag = await RawMultipart.UploadPartAsync(second, "kept", "upload", uploadId, 1, [7]);
        S3Assert.Status(await RawMultipart.CompleteAsync(second, "kept", "upload", uploadId, [new RawMultipart.Part(1, etag)]), 200);
        string result = await Boto3.RunAsync(second, """
            for key in ("small", "large", "upload"):
                print(key, s3.get_object_tagging(Bucket="kept", Key=key)["TagSet"], s3.head_object(Bucket="kept", Key=key)["TagCount"])
            print(s3.get_bucket_tagging(Bucket="kept")["TagSet"])
            """);
        Assert.Equal([
            "small [{'Key': 'size', 'Value': 'tiny'}, {'Key': 'n', 'Value': '1'}] 2",
            "large [{'Key': 'size', 'Value': 'large'}] 1",
            "upload [{'Key': 'from', 'Value': 'create'}] 1",
            "[{'Key': 'bucket', 'Value': 'kept'}]",
        ], Lines(result));
    }

    private static byte[] Content(int size, int seed)
    {
        byte[] content = new byte[size];
        new Random(seed).NextBytes(content);
        return content;
    }

    private async Task<string> Cli(params string[] arguments)
    {
        var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(Server.BaseUrl, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)}: {stderr}");
        return stdout;
    }

    /// <summary>An object's tags as aws-cli lists them, "key=value" in order.</summary>
    private async Task<string> TagsAsync(string key)
        => Pairs(await Cli("s3api", "get-object-tagging", "--bucket", Bucket, "--key", key, "--query", "TagSet[].[Key,Value]", "--output", "text"));

    private static string Pairs(string text) => string.Join(' ', Lines(text).Select(line => line.Replace('\t', '=')));

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
