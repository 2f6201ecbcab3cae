using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests.ServerSide;

/// <summary>
/// SSE-S3 and SSE-KMS through boto3, as <see cref="ServerSideEncryptionTests"/> does through aws-cli:
/// every header PutObject takes and what Put, Head and Get echo, AWS's refusals, multipart uploads,
/// copies that change the mode and the bucket default. Keys are made with boto3's kms client.
/// </summary>
public sealed class ServerSideBoto3Tests(ServerSideBoto3Tests.Fixture fixture) : IClassFixture<ServerSideBoto3Tests.Fixture>
{
    /// <summary>"Plain" means plain here: the server-wide default (SSE-S3) has a test of its own.</summary>
    public sealed class Fixture() : SharedServer(tls: true, ["--default-encryption", "none"])
    {
        protected override Task PrepareAsync(InProcessServer server) => Task.CompletedTask;
    }

    /// <summary>
    /// Before each script: <c>bucket</c> (args[0], created), <c>kms</c>, <c>new_key()</c> (a KMS key
    /// aliased alias/BUCKET) and <c>echo(answer)</c>, the mode an answer names, ARNs by name.
    /// </summary>
    private const string Prelude = """
        import base64, hashlib, os
        kms = boto3.client("kms", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1", verify=False)
        bucket = args[0]
        s3.create_bucket(Bucket=bucket)
        names = {kms.describe_key(KeyId="alias/aws/s3")["KeyMetadata"]["Arn"]: "aws/s3"}

        def new_key():
            made = kms.create_key()["KeyMetadata"]
            kms.create_alias(AliasName="alias/" + bucket, TargetKeyId=made["KeyId"])
            names[made["Arn"]] = "key"
            return made

        def echo(answer):
            arn = answer.get("SSEKMSKeyId")
            return f'{answer.get("ServerSideEncryption")} {names.get(arn, arn)} {answer.get("BucketKeyEnabled")}'

        """;

    [Fact]
    public async Task PutObjectEchoesEveryModeOnPutHeadAndGet()
    {
        string[] lines = await RunAsync("boto3-put", """
            made = new_key()
            context = base64.b64encode(b'{"department":"finance"}').decode()
            data = b"boto3 server-side diary " * 100
            md5 = '"' + hashlib.md5(data).hexdigest() + '"'
            kms_mode = {"ServerSideEncryption": "aws:kms"}
            cases = [
                ("sse-s3", {"ServerSideEncryption": "AES256"}),
                ("kms", kms_mode),
                ("kms-id", {**kms_mode, "SSEKMSKeyId": made["KeyId"]}),
                ("kms-arn", {**kms_mode, "SSEKMSKeyId": made["Arn"]}),
                ("kms-alias", {**kms_mode, "SSEKMSKeyId": "alias/" + bucket}),
                ("kms-context", {**kms_mode, "SSEKMSEncryptionContext": context}),
                ("kms-bucket-key", {**kms_mode, "BucketKeyEnabled": True}),
                ("kms-no-bucket-key", {**kms_mode, "BucketKeyEnabled": False}),
            ]
            for key, params in cases:
                put = s3.put_object(Bucket=bucket, Key=key, Body=data, **params)
                head = s3.head_object(Bucket=bucket, Key=key)
                get = s3.get_object(Bucket=bucket, Key=key)
                print(key, "|", echo(put), "|", echo(head), "|", echo(get), "|", put["ETag"] == md5, get["Body"].read() == data, put.get("SSEKMSEncryptionContext") == context)
            """);
        Assert.Equal([
            Echoed("sse-s3", "AES256 None None", md5: true),
            Echoed("kms", "aws:kms aws/s3 None"),
            Echoed("kms-id", "aws:kms key None"),
            Echoed("kms-arn", "aws:kms key None"),
            Echoed("kms-alias", "aws:kms key None"),
            Echoed("kms-context", "aws:kms aws/s3 None", context: true),
            Echoed("kms-bucket-key", "aws:kms aws/s3 True"),
            Echoed("kms-no-bucket-key", "aws:kms aws/s3 None"),
        ], lines);
    }

    /// <summary>What boto3 can send of AWS's refusals, in <see cref="Refusals"/>' order (it checks itself that a bucket-key flag is a boolean).</summary>
    [Fact]
    public async Task WhatAwsRefusesIsRefused()
    {
        string[] lines = await RunAsync("boto3-refused", """
            disabled = new_key()["KeyId"]
            s3.put_object(Bucket=bucket, Key="under-disabled", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=disabled)
            kms.disable_key(KeyId=disabled)
            s3.put_object(Bucket=bucket, Key="sse-s3", Body=b"x", ServerSideEncryption="AES256")
            customer = os.urandom(32)
            def put(**params):
                return outcome(lambda: s3.put_object(Bucket=bucket, Key="refused", Body=b"x", **params))
            print(put(ServerSideEncryption="AES256", SSECustomerAlgorithm="AES256", SSECustomerKey=customer))
            print(put(ServerSideEncryption="aws:kms", SSECustomerAlgorithm="AES256", SSECustomerKey=customer))
            print(put(ServerSideEncryption="AES512"))
            print(put(ServerSideEncryption="aws:kms:dsse"))
            print(put(SSEKMSKeyId="alias/aws/s3"))
            print(put(ServerSideEncryption="AES256", SSEKMSKeyId="alias/aws/s3"))
            print(put(ServerSideEncryption="aws:kms", SSEKMSEncryptionContext=base64.b64encode(b"not json").decode()))
            print(put(ServerSideEncryption="aws:kms", SSEKMSEncryptionContext="not base64!"))
            print(put(ServerSideEncryption="aws:kms", SSEKMSKeyId="alias/none-such"))
            print(put(ServerSideEncryption="aws:kms", SSEKMSKeyId=disabled))
            print(outcome(lambda: s3.get_object(Bucket=bucket, Key="under-disabled")))
            print(outcome(lambda: s3.get_object(Bucket=bucket, Key="sse-s3", SSECustomerAlgorithm="AES256", SSECustomerKey=customer)))
            print(outcome(lambda: s3.head_object(Bucket=bucket, Key="refused")))
            """);
        Assert.Equal([.. Refusals.Outcomes, "404 404"], lines);
    }

    /// <summary>The low-level calls echo the upload's mode on each step; upload_file's parts go under it too; ranges and parts read back.</summary>
    [Fact]
    public async Task MultipartUploadsAreUnderTheirMode()
    {
        string[] lines = await RunAsync("boto3-multipart", """
            import shutil, tempfile
            from boto3.s3.transfer import TransferConfig
            new_key()
            context = base64.b64encode(b'{"upload":"multipart"}').decode()
            part_size = 5 * 1024 * 1024
            data = os.urandom(part_size + 1024 * 1024 + 7)
            path = os.path.join(tempfile.mkdtemp(), "upload")
            with open(path, "wb") as file:
                file.write(data)
            for name, params in [("sse-s3", {"ServerSideEncryption": "AES256"}),
                                 ("sse-kms", {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/" + bucket, "BucketKeyEnabled": True, "SSEKMSEncryptionContext": context})]:
                created = s3.create_multipart_upload(Bucket=bucket, Key=name, **params)
                uploaded = [s3.upload_part(Bucket=bucket, Key=name, UploadId=created["UploadId"], PartNumber=number, Body=data[start:start + part_size])
                            for number, start in ((1, 0), (2, part_size))]
                parts = [{"ETag": part["ETag"], "PartNumber": number} for number, part in enumerate(uploaded, 1)]
                done = s3.complete_multipart_upload(Bucket=bucket, Key=name, UploadId=created["UploadId"], MultipartUpload={"Parts": parts})
                print(name, "|", echo(created), "|", echo(uploaded[1]), "|", echo(done), "|", done["ETag"].endswith('-2"'), created.get("SSEKMSEncryptionContext") == params.get("SSEKMSEncryptionContext"))
                ranged = s3.get_object(Bucket=bucket, Key=name, Range="bytes=5242870-5242889")
                print(name, "range", ranged["ContentRange"], ranged["Body"].read() == data[5242870:5242890], echo(ranged))
                second = s3.get_object(Bucket=bucket, Key=name, PartNumber=2)
                print(name, "part", second["PartsCount"], second["Body"].read() == data[part_size:], echo(second))
                # s3transfer takes no BucketKeyEnabled.
                s3.upload_file(path, bucket, name + "-file", ExtraArgs={k: v for k, v in params.items() if k != "BucketKeyEnabled"},
                               Config=TransferConfig(multipart_threshold=part_size, multipart_chunksize=part_size))
                head = s3.head_object(Bucket=bucket, Key=name + "-file")
                print(name, "upload_file", head["ETag"].endswith('-2"'), echo(head), s3.get_object(Bucket=bucket, Key=name + "-file")["Body"].read() == data)
            shutil.rmtree(os.path.dirname(path))
            """);
        Assert.Equal([
            "sse-s3 | AES256 None None | AES256 None None | AES256 None None | True True",
            "sse-s3 range bytes 5242870-5242889/6291463 True AES256 None None",
            "sse-s3 part 2 True AES256 None None",
            "sse-s3 upload_file True AES256 None None True",
            "sse-kms | aws:kms key True | aws:kms key True | aws:kms key True | True True",
            "sse-kms range bytes 5242870-5242889/6291463 True aws:kms key True",
            "sse-kms part 2 True aws:kms key True",
            "sse-kms upload_file True aws:kms key None True",
        ], lines);
    }

    [Fact]
    public async Task CopyObjectChangesTheMode()
    {
        string[] lines = await RunAsync("boto3-copy", """
            new_key()
            customer = os.urandom(32)
            with_customer_key = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": customer}
            data = b"copied diary " * 1000
            s3.put_object(Bucket=bucket, Key="plain", Body=data)
            print("plain |", echo(s3.head_object(Bucket=bucket, Key="plain")))
            steps = [
                ("plain", "sse-s3", {"ServerSideEncryption": "AES256"}, {}),
                ("sse-s3", "sse-kms", {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/" + bucket}, {}),
                ("sse-kms", "sse-c", with_customer_key, with_customer_key),
                ("sse-c", "sse-s3-again", {"CopySourceSSECustomerAlgorithm": "AES256", "CopySourceSSECustomerKey": customer, "ServerSideEncryption": "AES256"}, {}),
            ]
            for source, target, params, read in steps:
                copied = s3.copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": source}, **params)
                got = s3.get_object(Bucket=bucket, Key=target, **read)
                print(target, "|", echo(copied), copied.get("SSECustomerAlgorithm"), "|", echo(got), got.get("SSECustomerAlgorithm"), "|", got["Body"].read() == data)
            """);
        Assert.Equal([
            "plain | None None None",
            "sse-s3 | AES256 None None None | AES256 None None None | True",
            "sse-kms | aws:kms key None None | aws:kms key None None | True",
            "sse-c | None None None AES256 | None None None AES256 | True",
            "sse-s3-again | AES256 None None None | AES256 None None None | True",
        ], lines);
    }

    [Fact]
    public async Task TheBucketDefaultEncryptsWritesThatAskForNothing()
    {
        string[] lines = await RunAsync("boto3-default", """
            made = new_key()
            def default(rule):
                s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [rule]})
                read = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
                print("rule", read["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"], names.get(read["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID")), read["BucketKeyEnabled"])
            def write(key):
                put = s3.put_object(Bucket=bucket, Key=key, Body=b"defaulted")
                print(key, "|", echo(put), "|", echo(s3.head_object(Bucket=bucket, Key=key)))
            default({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}})
            write("sse-s3")
            default({"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": made["Arn"]}, "BucketKeyEnabled": True})
            write("sse-kms")
            s3.delete_bucket_encryption(Bucket=bucket)
            print(outcome(lambda: s3.get_bucket_encryption(Bucket=bucket)))
            write("plain")
            """);
        Assert.Equal([
            "rule AES256 None False",
            "sse-s3 | AES256 None None | AES256 None None",
            "rule aws:kms key True",
            "sse-kms | aws:kms key True | aws:kms key True",
            "404 ServerSideEncryptionConfigurationNotFoundError",
            "plain | None None None | None None None",
        ], lines);
    }

    /// <summary>The line a case of <see cref="PutObjectEchoesEveryModeOnPutHeadAndGet"/> prints: the same echo on Put, Head and Get.</summary>
    private static string Echoed(string key, string echo, bool md5 = false, bool context = false)
        => $"{key} | {echo} | {echo} | {echo} | {md5} True {context}";

    private async Task<string[]> RunAsync(string bucket, string script)
        => (await Boto3.RunAsync(fixture.Server, Prelude + script, bucket)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
