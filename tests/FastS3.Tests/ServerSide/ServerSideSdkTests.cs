using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests.ServerSide;

/// <summary>
/// SSE-S3 and SSE-KMS through AWSSDK.S3, as <see cref="ServerSideEncryptionTests"/> does through
/// aws-cli: every header PutObject takes and what Put, Head and Get echo, AWS's refusals, multipart
/// uploads (low level and TransferUtility), copies that change the mode and the bucket default.
/// KMS keys are made with aws kms (the tests reference no KMS SDK).
/// </summary>
public sealed class ServerSideSdkTests(ServerSideSdkTests.Fixture fixture) : IClassFixture<ServerSideSdkTests.Fixture>, IDisposable
{
    private const int PartSize = 5 * 1024 * 1024;

    private static readonly byte[] Diary = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("AWSSDK server-side diary ", 100)));

    private readonly AmazonS3Client _client = SdkClients.Create(fixture.Server.BaseUrl);

    /// <summary>KMS key ARNs by the name <see cref="Echo"/> gives them.</summary>
    private readonly Dictionary<string, string> _names = [];

    /// <summary>"Plain" means plain here: the server-wide default (SSE-S3) has a test of its own.</summary>
    public sealed class Fixture() : SharedServer(tls: true, ["--default-encryption", "none"])
    {
        protected override Task PrepareAsync(InProcessServer server) => Task.CompletedTask;
    }

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task PutObjectEchoesEveryModeOnPutHeadAndGet()
    {
        (string id, string arn) = await StartAsync("sdk-put");
        string context = Convert.ToBase64String("{\"department\":\"finance\"}"u8);
        (string Key, Action<PutObjectRequest> Ask, string Echo)[] cases =
        [
            ("sse-s3", put => put.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256, "AES256 - -"),
            ("kms", put => put.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS, "aws:kms aws/s3 -"),
            ("kms-id", put => Kms(put, id), "aws:kms key -"),
            ("kms-arn", put => Kms(put, arn), "aws:kms key -"),
            ("kms-alias", put => Kms(put, "alias/sdk-put"), "aws:kms key -"),
            ("kms-context", put => Kms(put, null).ServerSideEncryptionKeyManagementServiceEncryptionContext = context, "aws:kms aws/s3 -"),
            ("kms-bucket-key", put => Kms(put, null).BucketKeyEnabled = true, "aws:kms aws/s3 True"),
            ("kms-no-bucket-key", put => Kms(put, null).BucketKeyEnabled = false, "aws:kms aws/s3 -"),
        ];
        foreach ((string key, Action<PutObjectRequest> ask, string echo) in cases)
        {
            var request = new PutObjectRequest { BucketName = "sdk-put", Key = key, InputStream = new MemoryStream(Diary) };
            ask(request);
            PutObjectResponse put = await _client.PutObjectAsync(request);
            GetObjectMetadataResponse head = await _client.GetObjectMetadataAsync("sdk-put", key);
            using GetObjectResponse get = await _client.GetObjectAsync("sdk-put", key);
            Assert.Equal([echo, echo, echo], [
                Echo(put.ServerSideEncryptionMethod, put.ServerSideEncryptionKeyManagementServiceKeyId, put.BucketKeyEnabled),
                Echo(head.ServerSideEncryptionMethod, head.ServerSideEncryptionKeyManagementServiceKeyId, head.BucketKeyEnabled),
                Echo(get.ServerSideEncryptionMethod, get.ServerSideEncryptionKeyManagementServiceKeyId, get.BucketKeyEnabled)]);
            Assert.True((put.ETag == $"\"{Convert.ToHexStringLower(MD5.HashData(Diary))}\"") == (key == "sse-s3"), $"{key}: ETag {put.ETag}");
            Assert.Equal(key == "kms-context" ? context : null, put.ServerSideEncryptionKeyManagementServiceEncryptionContext);
            Assert.Equal(Diary, await ReadAsync(get));
        }
    }

    /// <summary>What AWSSDK.S3 can send of AWS's refusals, in <see cref="Refusals"/>' order (a bucket-key flag is a bool to it).</summary>
    [Fact]
    public async Task WhatAwsRefusesIsRefused()
    {
        (string disabled, _) = await StartAsync("sdk-refused");
        await _client.PutObjectAsync(Kms(new PutObjectRequest { BucketName = "sdk-refused", Key = "under-disabled", ContentBody = "x" }, disabled));
        await AwsAsync("kms", "disable-key", "--key-id", disabled);
        var customer = new CustomerKeys(1);
        Action<PutObjectRequest>[] refused =
        [
            put => customer.Set(0, (method, key) => (put.ServerSideEncryptionMethod, put.ServerSideEncryptionCustomerMethod, put.ServerSideEncryptionCustomerProvidedKey) = (ServerSideEncryptionMethod.AES256, method, key)),
            put => customer.Set(0, (method, key) => (put.ServerSideEncryptionMethod, put.ServerSideEncryptionCustomerMethod, put.ServerSideEncryptionCustomerProvidedKey) = (ServerSideEncryptionMethod.AWSKMS, method, key)),
            put => put.ServerSideEncryptionMethod = new ServerSideEncryptionMethod("AES512"),
            put => put.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMSDSSE,
            put => put.ServerSideEncryptionKeyManagementServiceKeyId = "alias/aws/s3",
            put => (put.ServerSideEncryptionMethod, put.ServerSideEncryptionKeyManagementServiceKeyId) = (ServerSideEncryptionMethod.AES256, "alias/aws/s3"),
            put => Kms(put, null).ServerSideEncryptionKeyManagementServiceEncryptionContext = Convert.ToBase64String("not json"u8),
            put => Kms(put, null).ServerSideEncryptionKeyManagementServiceEncryptionContext = "not base64!",
            put => Kms(put, "alias/none-such"),
            put => Kms(put, disabled),
        ];
        var outcomes = new List<string>();
        foreach (Action<PutObjectRequest> ask in refused)
        {
            var request = new PutObjectRequest { BucketName = "sdk-refused", Key = "refused", ContentBody = "x" };
            ask(request);
            outcomes.Add(await OutcomeAsync(() => _client.PutObjectAsync(request)));
        }

        outcomes.Add(await OutcomeAsync(() => _client.GetObjectAsync("sdk-refused", "under-disabled")));
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = "sdk-refused", Key = "sse-s3", ContentBody = "x", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256 });
        var withCustomerKey = new GetObjectRequest { BucketName = "sdk-refused", Key = "sse-s3" };
        customer.Set(0, (method, key) => (withCustomerKey.ServerSideEncryptionCustomerMethod, withCustomerKey.ServerSideEncryptionCustomerProvidedKey) = (method, key));
        outcomes.Add(await OutcomeAsync(() => _client.GetObjectAsync(withCustomerKey)));
        outcomes.Add(await OutcomeAsync(() => _client.GetObjectMetadataAsync("sdk-refused", "refused")));
        Assert.Equal([.. Refusals.Outcomes, "404 NotFound"], outcomes);
    }

    /// <summary>
    /// SSE-S3 through Initiate/UploadPart/Complete and SSE-KMS through TransferUtility: each step
    /// echoes the upload's mode, and a range across the parts and a part by number read back.
    /// </summary>
    [Fact]
    public async Task MultipartUploadsAreUnderTheirMode()
    {
        await StartAsync("sdk-multipart");
        byte[] data = RandomNumberGenerator.GetBytes(PartSize + (1024 * 1024) + 7);
        InitiateMultipartUploadResponse created = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = "sdk-multipart", Key = "sse-s3", ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256,
        });
        var parts = new List<UploadPartResponse>();
        foreach ((int number, int start) in new[] { (1, 0), (2, PartSize) })
        {
            parts.Add(await _client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = "sdk-multipart", Key = "sse-s3", UploadId = created.UploadId, PartNumber = number,
                InputStream = new MemoryStream(data, start, Math.Min(PartSize, data.Length - start)),
            }));
        }

        CompleteMultipartUploadResponse done = await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = "sdk-multipart", Key = "sse-s3", UploadId = created.UploadId, PartETags = [.. parts.Select(part => new PartETag(part))],
        });
        Assert.Equal(["AES256 - -", "AES256 - -", "AES256 - -"], [
            Echo(created.ServerSideEncryptionMethod, created.ServerSideEncryptionKeyManagementServiceKeyId, created.BucketKeyEnabled),
            Echo(parts[1].ServerSideEncryptionMethod, null, parts[1].BucketKeyEnabled),
            Echo(done.ServerSideEncryptionMethod, done.ServerSideEncryptionKeyManagementServiceKeyId, done.BucketKeyEnabled)]);

        using var transfer = new TransferUtility(_client, new TransferUtilityConfig { MinSizeBeforePartUpload = PartSize });
        TransferUtilityUploadResponse uploaded = await transfer.UploadWithResponseAsync(new TransferUtilityUploadRequest
        {
            BucketName = "sdk-multipart", Key = "sse-kms", InputStream = new MemoryStream(data), PartSize = PartSize,
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = "alias/sdk-multipart",
        });
        // TransferUtility's answer says False where the bucket-key header is absent.
        Assert.Equal("aws:kms key False", Echo(uploaded.ServerSideEncryptionMethod, uploaded.ServerSideEncryptionKeyManagementServiceKeyId, uploaded.BucketKeyEnabled));

        foreach ((string key, string echo) in new[] { ("sse-s3", "AES256 - -"), ("sse-kms", "aws:kms key -") })
        {
            using GetObjectResponse ranged = await _client.GetObjectAsync(new GetObjectRequest { BucketName = "sdk-multipart", Key = key, ByteRange = new ByteRange(PartSize - 10, PartSize + 9) });
            Assert.EndsWith("-2\"", ranged.ETag);
            Assert.Equal(echo, Echo(ranged.ServerSideEncryptionMethod, ranged.ServerSideEncryptionKeyManagementServiceKeyId, ranged.BucketKeyEnabled));
            Assert.Equal(data[(PartSize - 10)..(PartSize + 10)], await ReadAsync(ranged));
            using GetObjectResponse second = await _client.GetObjectAsync(new GetObjectRequest { BucketName = "sdk-multipart", Key = key, PartNumber = 2 });
            Assert.Equal(2, second.PartsCount);
            Assert.Equal(echo, Echo(second.ServerSideEncryptionMethod, second.ServerSideEncryptionKeyManagementServiceKeyId, second.BucketKeyEnabled));
            Assert.Equal(data[PartSize..], await ReadAsync(second));
        }
    }

    [Fact]
    public async Task CopyObjectChangesTheMode()
    {
        await StartAsync("sdk-copy");
        var customer = new CustomerKeys(1);
        await _client.PutObjectAsync(new PutObjectRequest { BucketName = "sdk-copy", Key = "plain", InputStream = new MemoryStream(Diary) });
        GetObjectMetadataResponse plain = await _client.GetObjectMetadataAsync("sdk-copy", "plain");
        Assert.Equal("- - -", Echo(plain.ServerSideEncryptionMethod, plain.ServerSideEncryptionKeyManagementServiceKeyId, plain.BucketKeyEnabled));
        (string Source, string Target, Action<CopyObjectRequest> Ask, string Echo)[] steps =
        [
            ("plain", "sse-s3", copy => copy.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256, "AES256 - - -"),
            ("sse-s3", "sse-kms", copy => (copy.ServerSideEncryptionMethod, copy.ServerSideEncryptionKeyManagementServiceKeyId) = (ServerSideEncryptionMethod.AWSKMS, "alias/sdk-copy"), "aws:kms key - -"),
            ("sse-kms", "sse-c", copy => customer.Set(0, (method, key) => (copy.ServerSideEncryptionCustomerMethod, copy.ServerSideEncryptionCustomerProvidedKey) = (method, key)), "- - - AES256"),
            ("sse-c", "sse-s3-again", copy =>
            {
                customer.Set(0, (method, key) => (copy.CopySourceServerSideEncryptionCustomerMethod, copy.CopySourceServerSideEncryptionCustomerProvidedKey) = (method, key));
                copy.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256;
            }, "AES256 - - -"),
        ];
        foreach ((string source, string target, Action<CopyObjectRequest> ask, string echo) in steps)
        {
            var request = new CopyObjectRequest { SourceBucket = "sdk-copy", SourceKey = source, DestinationBucket = "sdk-copy", DestinationKey = target };
            ask(request);
            CopyObjectResponse copied = await _client.CopyObjectAsync(request);
            var read = new GetObjectRequest { BucketName = "sdk-copy", Key = target };
            customer.Set(target == "sse-c" ? 0 : null, (method, key) => (read.ServerSideEncryptionCustomerMethod, read.ServerSideEncryptionCustomerProvidedKey) = (method, key));
            using GetObjectResponse got = await _client.GetObjectAsync(read);
            Assert.Equal([echo, echo], [
                $"{Echo(copied.ServerSideEncryptionMethod, copied.ServerSideEncryptionKeyManagementServiceKeyId, copied.BucketKeyEnabled)} {Value(copied.ServerSideEncryptionCustomerMethod)}",
                $"{Echo(got.ServerSideEncryptionMethod, got.ServerSideEncryptionKeyManagementServiceKeyId, got.BucketKeyEnabled)} {Value(got.ServerSideEncryptionCustomerMethod)}"]);
            Assert.Equal(Diary, await ReadAsync(got));
        }
    }

    [Fact]
    public async Task TheBucketDefaultEncryptsWritesThatAskForNothing()
    {
        (_, string arn) = await StartAsync("sdk-default");
        await SetDefaultAsync(new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 }, bucketKey: null);
        Assert.Equal(["AES256 - False", "AES256 - -", "AES256 - -"], await DefaultAndWriteAsync("sse-s3"));

        await SetDefaultAsync(new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = arn }, bucketKey: true);
        Assert.Equal(["aws:kms key True", "aws:kms key True", "aws:kms key True"], await DefaultAndWriteAsync("sse-kms"));

        await _client.DeleteBucketEncryptionAsync(new DeleteBucketEncryptionRequest { BucketName = "sdk-default" });
        // The 404 ServerSideEncryptionConfigurationNotFoundError: AWSSDK.S3 v4 answers it without throwing.
        GetBucketEncryptionResponse none = await _client.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "sdk-default" });
        Assert.Equal((HttpStatusCode.NotFound, null), (none.HttpStatusCode, none.ServerSideEncryptionConfiguration));
        PutObjectResponse put = await _client.PutObjectAsync(new PutObjectRequest { BucketName = "sdk-default", Key = "plain", ContentBody = "defaulted" });
        Assert.Equal("- - -", Echo(put.ServerSideEncryptionMethod, put.ServerSideEncryptionKeyManagementServiceKeyId, put.BucketKeyEnabled));
    }

    private Task<PutBucketEncryptionResponse> SetDefaultAsync(ServerSideEncryptionByDefault rule, bool? bucketKey) => _client.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
    {
        BucketName = "sdk-default",
        ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration { ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = rule, BucketKeyEnabled = bucketKey }] },
    });

    /// <summary>The rule GetBucketEncryption reads back, then the mode a PUT without headers echoes on Put and Head.</summary>
    private async Task<string[]> DefaultAndWriteAsync(string key)
    {
        ServerSideEncryptionRule rule = Assert.Single((await _client.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "sdk-default" })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules);
        PutObjectResponse put = await _client.PutObjectAsync(new PutObjectRequest { BucketName = "sdk-default", Key = key, ContentBody = "defaulted" });
        GetObjectMetadataResponse head = await _client.GetObjectMetadataAsync("sdk-default", key);
        return [
            Echo(rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm, rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId, rule.BucketKeyEnabled),
            Echo(put.ServerSideEncryptionMethod, put.ServerSideEncryptionKeyManagementServiceKeyId, put.BucketKeyEnabled),
            Echo(head.ServerSideEncryptionMethod, head.ServerSideEncryptionKeyManagementServiceKeyId, head.BucketKeyEnabled)];
    }

    /// <summary>Creates <paramref name="bucket"/> and a KMS key aliased alias/BUCKET (echoed as "key"); names alias/aws/s3's ARN "aws/s3".</summary>
    private async Task<(string Id, string Arn)> StartAsync(string bucket)
    {
        await _client.PutBucketAsync(bucket);
        _names[await KeyArnAsync("describe-key", "--key-id", "alias/aws/s3")] = "aws/s3";
        string arn = await KeyArnAsync("create-key");
        _names[arn] = "key";
        string id = arn[(arn.LastIndexOf('/') + 1)..];
        await AwsAsync("kms", "create-alias", "--alias-name", $"alias/{bucket}", "--target-key-id", id);
        return (id, arn);
    }

    private async Task<string> KeyArnAsync(params string[] arguments)
        => JsonDocument.Parse(await AwsAsync(["kms", .. arguments])).RootElement.GetProperty("KeyMetadata").GetProperty("Arn").GetString()!;

    private async Task<string> AwsAsync(params string[] arguments)
    {
        var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(fixture.Server.BaseUrl, arguments);
        Assert.True(exit == 0, $"aws {string.Join(' ', arguments)}: {stderr}");
        return stdout;
    }

    /// <summary>SSE-KMS under <paramref name="keyId"/> (null: the AWS managed key).</summary>
    private static PutObjectRequest Kms(PutObjectRequest put, string? keyId)
    {
        put.ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS;
        put.ServerSideEncryptionKeyManagementServiceKeyId = keyId;
        return put;
    }

    /// <summary>The mode an answer names: algorithm, KMS key (by its name in <see cref="_names"/>), bucket key; "-" for what it leaves out.</summary>
    private string Echo(ConstantClass? method, string? keyId, bool? bucketKey)
        => $"{Value(method)} {(keyId is null ? "-" : _names.GetValueOrDefault(keyId, keyId))} {bucketKey?.ToString() ?? "-"}";

    private static string Value(ConstantClass? constant) => string.IsNullOrEmpty(constant?.Value) ? "-" : constant.Value;

    /// <summary>"accepted", or the status and S3 error code the call was refused with.</summary>
    private static async Task<string> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return "accepted";
        }
        catch (AmazonS3Exception e)
        {
            return $"{(int)e.StatusCode} {e.ErrorCode}";
        }
    }

    private static async Task<byte[]> ReadAsync(GetObjectResponse response)
    {
        using var body = new MemoryStream();
        await response.ResponseStream.CopyToAsync(body);
        return body.ToArray();
    }
}
