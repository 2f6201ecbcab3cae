using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FastS3.Storage;
using FastS3.Tests.Hosting;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// Put/Get/DeleteBucketEncryption with aws-cli, boto3 and raw signed requests: the configuration
/// round trip (AES256, aws:kms with a key and a bucket key), AWS's refusals, the server-wide default
/// GetBucketEncryption reports for a bucket without one, the record staying out of listings and
/// out of DeleteBucket's way, and the configuration across a restart.
/// </summary>
public sealed class BucketEncryptionTests(BucketEncryptionTests.Fixture fixture) : IClassFixture<BucketEncryptionTests.Fixture>
{
    private const string Bucket = "encrypted";

    private const string KmsKey = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private const string AesRules = """{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}""";

    /// <summary>With no server-wide default, so a bucket without a configuration reads as AWS's buckets did before 2023.</summary>
    public sealed class Fixture() : SharedServer(tls: true, ["--default-encryption", "none"])
    {
        protected override Task PrepareAsync(InProcessServer server) => RawMultipart.CreateBucketAsync(server, Bucket);
    }

    private InProcessServer Server => fixture.Server;

    [Fact]
    public async Task AwsCliSetsReadsAndDeletesTheConfiguration()
    {
        await RawMultipart.CreateBucketAsync(Server, "cli-encrypted");
        await Cli(Server, "s3api", "put-bucket-encryption", "--bucket", "cli-encrypted", "--server-side-encryption-configuration", AesRules);
        Assert.Equal(("AES256", null, false), await RuleAsync(Server, "cli-encrypted"));

        await Cli(Server, "s3api", "put-bucket-encryption", "--bucket", "cli-encrypted", "--server-side-encryption-configuration",
            $$"""{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"{{KmsKey}}"},"BucketKeyEnabled":true}]}""");
        Assert.Equal(("aws:kms", KmsKey, true), await RuleAsync(Server, "cli-encrypted"));

        await Cli(Server, "s3api", "delete-bucket-encryption", "--bucket", "cli-encrypted");
        var (exit, _, stderr) = await AwsCli.RunWarmAsync(Server.BaseUrl, "s3api", "get-bucket-encryption", "--bucket", "cli-encrypted");
        Assert.True(exit != 0 && stderr.Contains("(ServerSideEncryptionConfigurationNotFoundError)"), stderr);
    }

    [Fact]
    public async Task Boto3RoundTripAndMissingBuckets()
    {
        string result = await Boto3.RunAsync(Server, """
            def rule():
                return s3.get_bucket_encryption(Bucket=args[0])["ServerSideEncryptionConfiguration"]["Rules"]
            def put(default, **more):
                return s3.put_bucket_encryption(Bucket=args[0], ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": default, **more}]})
            s3.create_bucket(Bucket=args[0])
            print(outcome(rule))
            print(put({"SSEAlgorithm": "aws:kms"})["ResponseMetadata"]["HTTPStatusCode"], rule())
            print(put({"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/app"}, BucketKeyEnabled=False)["ResponseMetadata"]["HTTPStatusCode"], rule())
            print(put({"SSEAlgorithm": "AES256"}, BucketKeyEnabled=True)["ResponseMetadata"]["HTTPStatusCode"], rule())
            print(s3.delete_bucket_encryption(Bucket=args[0])["ResponseMetadata"]["HTTPStatusCode"], outcome(rule))
            print(s3.delete_bucket_encryption(Bucket=args[0])["ResponseMetadata"]["HTTPStatusCode"])
            s3.delete_bucket(Bucket=args[0])
            print(outcome(rule), outcome(lambda: put({"SSEAlgorithm": "AES256"})), outcome(lambda: s3.delete_bucket_encryption(Bucket=args[0])))
            """, "boto3-encrypted");
        Assert.Equal([
            "404 ServerSideEncryptionConfigurationNotFoundError",
            "200 [{'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'aws:kms'}, 'BucketKeyEnabled': False}]",
            "200 [{'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'aws:kms', 'KMSMasterKeyID': 'alias/app'}, 'BucketKeyEnabled': False}]",
            "200 [{'ApplyServerSideEncryptionByDefault': {'SSEAlgorithm': 'AES256'}, 'BucketKeyEnabled': True}]",
            "204 404 ServerSideEncryptionConfigurationNotFoundError",
            "204",
            "404 NoSuchBucket 404 NoSuchBucket 404 NoSuchBucket",
        ], Lines(result));
    }

    [Theory]
    [InlineData("")]
    [InlineData("<ServerSideEncryptionConfiguration/>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule/></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault/></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES128</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aes256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><Colour>blue</Colour></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm><b>AES256</b></SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule>text<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>yes</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>1</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")]
    [InlineData("<ServerSideEncryptionConfiguration><Other/></ServerSideEncryptionConfiguration>")]
    [InlineData("<Tagging><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></Tagging>")]
    [InlineData("<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration><Second/>")]
    [InlineData("<!DOCTYPE x [<!ENTITY e \"AES256\">]><ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>&e;</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>")]
    public async Task MalformedConfigurationsAreRefusedAndChangeNothing(string document)
    {
        await Cli(Server, "s3api", "put-bucket-encryption", "--bucket", Bucket, "--server-side-encryption-configuration", AesRules);
        S3Assert.Error(await PutAsync(Server, Bucket, document), 400, "MalformedXML");
        Assert.Equal(("AES256", null, false), await RuleAsync(Server, Bucket));
    }

    [Theory]
    [InlineData("AES256", KmsKey)]
    [InlineData("aws:kms:dsse", null)]
    [InlineData("aws:kms:dsse", KmsKey)]
    public async Task WhatAwsRefusesIsInvalidArgument(string algorithm, string? keyId)
    {
        RawResponse refused = await PutAsync(Server, Bucket, Configuration(algorithm, keyId));
        S3Assert.Error(refused, 400, "InvalidArgument");
        if (algorithm == "aws:kms:dsse")
        {
            Assert.Contains("not supported", refused.XmlValue("Message"));
        }
    }

    [Fact]
    public async Task KmsKeyIdsAreBounded()
    {
        S3Assert.Error(await PutAsync(Server, Bucket, Configuration("aws:kms", new string('k', BucketEncryptionConfig.MaxKmsKeyIdLength + 1))), 400, "InvalidArgument");
        string longest = new('k', BucketEncryptionConfig.MaxKmsKeyIdLength);
        S3Assert.Status(await PutAsync(Server, "key-bound", Configuration("aws:kms", longest), create: true), 200);
        RawResponse read = await SignedRequests.SendAsync(Server, "GET", "/key-bound?encryption", []);
        Assert.Equal(("aws:kms", longest), (read.XmlValue("SSEAlgorithm"), read.XmlValue("KMSMasterKeyID")));
    }

    [Fact]
    public async Task TheBodyIsBoundedAndHeldToItsDigest()
    {
        byte[] document = Encoding.UTF8.GetBytes(Configuration("AES256", null));
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?encryption", document), 400, "InvalidRequest");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?encryption", document, "Content-MD5:1B2M2Y8AsgTpgAmY7PhCfg=="), 400, "BadDigest");
        S3Assert.Status(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?encryption", document, $"x-amz-checksum-sha256:{Convert.ToBase64String(SHA256.HashData(document))}"), 200);
        byte[] huge = Encoding.UTF8.GetBytes($"<ServerSideEncryptionConfiguration>{new string(' ', 64 * 1024)}</ServerSideEncryptionConfiguration>");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?encryption", huge, $"Content-MD5:{Md5(huge)}"), 400, "MaxMessageLengthExceeded");
    }

    [Fact]
    public async Task ObjectsHaveNoEncryptionSubresource()
    {
        await RawMultipart.PutObjectAsync(Server, Bucket, "object", [1]);
        S3Assert.Error(await SignedRequests.SendAsync(Server, "GET", $"/{Bucket}/object?encryption", []), 501, "NotImplemented");
        S3Assert.Error(await PutAsync(Server, $"{Bucket}/object", Configuration("AES256", null)), 501, "NotImplemented");
    }

    /// <summary>The configuration is a record of the bucket's own: never listed, never what keeps a bucket from being deleted, gone with it.</summary>
    [Fact]
    public async Task TheConfigurationIsNoObject()
    {
        string result = await Boto3.RunAsync(Server, """
            s3.create_bucket(Bucket=args[0])
            s3.put_bucket_encryption(Bucket=args[0], ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/aws/s3"}}]})
            s3.put_bucket_tagging(Bucket=args[0], Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
            s3.put_object(Bucket=args[0], Key="only", Body=b"x")
            print([o["Key"] for o in s3.list_objects(Bucket=args[0])["Contents"]], [o["Key"] for o in s3.list_objects_v2(Bucket=args[0])["Contents"]],
                  [o["Key"] for o in s3.list_object_versions(Bucket=args[0])["Versions"]], s3.list_objects_v2(Bucket=args[0], StartAfter="only")["KeyCount"])
            print(outcome(lambda: s3.delete_bucket(Bucket=args[0])))
            s3.delete_object(Bucket=args[0], Key="only")
            print("Contents" in s3.list_objects_v2(Bucket=args[0]), outcome(lambda: s3.delete_bucket(Bucket=args[0])))
            s3.create_bucket(Bucket=args[0])
            print(outcome(lambda: s3.get_bucket_encryption(Bucket=args[0])))
            s3.delete_bucket(Bucket=args[0])
            """, "config-only");
        Assert.Equal([
            "['only'] ['only'] ['only'] 0",
            "409 BucketNotEmpty",
            "False accepted",
            "404 ServerSideEncryptionConfigurationNotFoundError",
        ], Lines(result));
    }

    [Fact]
    public async Task TheServerWideDefaultIsReportedForBucketsWithoutOne()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(server, "defaulted");
        Assert.Equal(("AES256", null, false), await RuleAsync(server, "defaulted"));
        await Cli(server, "s3api", "put-bucket-encryption", "--bucket", "defaulted", "--server-side-encryption-configuration",
            """{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"},"BucketKeyEnabled":true}]}""");
        Assert.Equal(("aws:kms", null, true), await RuleAsync(server, "defaulted"));
        await Cli(server, "s3api", "delete-bucket-encryption", "--bucket", "defaulted");
        Assert.Equal(("AES256", null, false), await RuleAsync(server, "defaulted"));
        S3Assert.Error(await SignedRequests.SendAsync(server, "GET", "/missing?encryption", []), 404, "NoSuchBucket");
    }

    [Fact]
    public async Task TheConfigurationSurvivesARestart()
    {
        string dataDir;
        string certs;
        await using (InProcessServer first = await InProcessServer.StartAsync(onDisk: true, extraArguments: ["--default-encryption", "none"]))
        {
            await RawMultipart.CreateBucketAsync(first, "kept");
            await RawMultipart.CreateBucketAsync(first, "dropped");
            await Cli(first, "s3api", "put-bucket-encryption", "--bucket", "kept", "--server-side-encryption-configuration",
                $$"""{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms","KMSMasterKeyID":"{{KmsKey}}"},"BucketKeyEnabled":true}]}""");
            await Cli(first, "s3api", "put-bucket-encryption", "--bucket", "dropped", "--server-side-encryption-configuration", AesRules);
            await Cli(first, "s3api", "delete-bucket-encryption", "--bucket", "dropped");
            dataDir = first.DataDir;
            certs = first.CertsDir;
            first.KeepDataDir = true;
        }

        await using InProcessServer second = await InProcessServer.StartAsync(certsDir: certs, dataDir: dataDir, extraArguments: ["--default-encryption", "none"]);
        Assert.Equal(("aws:kms", KmsKey, true), await RuleAsync(second, "kept"));
        S3Assert.Error(await SignedRequests.SendAsync(second, "GET", "/dropped?encryption", []), 404, "ServerSideEncryptionConfigurationNotFoundError");
    }

    [Theory]
    [InlineData(1, null, false)]
    [InlineData(2, null, true)]
    [InlineData(2, "alias/app-ключ", false)]
    public void TheStoredFormRoundTrips(byte algorithm, string? keyId, bool bucketKey)
    {
        var config = new BucketEncryptionConfig(algorithm, keyId, bucketKey);
        Assert.True(BucketEncryptionConfig.TryDecode(config.Encode(), out BucketEncryptionConfig? read));
        Assert.Equal(config, read);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 1, 1 })]
    [InlineData(new byte[] { 2, 1, 0 })]
    [InlineData(new byte[] { 1, 0, 0 })]
    [InlineData(new byte[] { 1, 1, 2 })]
    [InlineData(new byte[] { 1, 2, 0, 0xFF })]
    public void DamagedStoredFormsAreNotRead(byte[] stored) => Assert.False(BucketEncryptionConfig.TryDecode(stored, out _));

    private static string Configuration(string algorithm, string? keyId)
        => $"""<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{algorithm}</SSEAlgorithm>{(keyId is null ? "" : $"<KMSMasterKeyID>{keyId}</KMSMasterKeyID>")}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>""";

    /// <summary>A raw PutBucketEncryption with its Content-MD5, as S3 requires; <paramref name="create"/> makes the bucket first.</summary>
    private static async Task<RawResponse> PutAsync(InProcessServer server, string bucketPath, string document, bool create = false)
    {
        if (create)
        {
            await RawMultipart.CreateBucketAsync(server, bucketPath);
        }

        byte[] body = Encoding.UTF8.GetBytes(document);
        return await SignedRequests.SendAsync(server, "PUT", $"/{bucketPath}?encryption", body, $"Content-MD5:{Md5(body)}");
    }

    private static string Md5(byte[] body) => Convert.ToBase64String(MD5.HashData(body));

    /// <summary>The one rule aws-cli's get-bucket-encryption reports: algorithm, KMS key id, bucket key.</summary>
    private static async Task<(string, string?, bool)> RuleAsync(InProcessServer server, string bucket)
    {
        using JsonDocument json = JsonDocument.Parse(await Cli(server, "s3api", "get-bucket-encryption", "--bucket", bucket));
        JsonElement rule = Assert.Single(json.RootElement.GetProperty("ServerSideEncryptionConfiguration").GetProperty("Rules").EnumerateArray());
        JsonElement defaults = rule.GetProperty("ApplyServerSideEncryptionByDefault");
        return (defaults.GetProperty("SSEAlgorithm").GetString()!,
            defaults.TryGetProperty("KMSMasterKeyID", out JsonElement key) ? key.GetString() : null,
            rule.GetProperty("BucketKeyEnabled").GetBoolean());
    }

    private static async Task<string> Cli(InProcessServer server, params string[] arguments)
    {
        var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(server.BaseUrl, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)}: {stderr}");
        return stdout;
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
