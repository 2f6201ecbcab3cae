using System.Net;
using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>The same walkthrough through AWSSDK.S3 (path style, HTTPS) and through boto3.</summary>
public class SdkClientTests
{
    [Fact]
    public async Task AwsSdkForDotNet()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        using AmazonS3Client client = SdkClients.Create(server.BaseUrl);

        await client.PutBucketAsync("sdk-bucket");
        byte[] data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        PutObjectResponse put = await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = "sdk-bucket",
            Key = "dir/object with spaces.bin",
            InputStream = new MemoryStream(data),
            ContentType = "application/x-test",
            Metadata = { ["origin"] = "sdk" },
        });
        Assert.Equal(HttpStatusCode.OK, put.HttpStatusCode);
        Assert.Equal($"\"{Convert.ToHexStringLower(MD5.HashData(data))}\"", put.ETag);

        GetObjectMetadataResponse head = await client.GetObjectMetadataAsync("sdk-bucket", "dir/object with spaces.bin");
        Assert.Equal(data.Length, head.ContentLength);
        Assert.Equal("sdk", head.Metadata["origin"]);

        using (GetObjectResponse get = await client.GetObjectAsync("sdk-bucket", "dir/object with spaces.bin"))
        {
            using var copy = new MemoryStream();
            await get.ResponseStream.CopyToAsync(copy);
            Assert.Equal(data, copy.ToArray());
        }

        using (GetObjectResponse ranged = await client.GetObjectAsync(new GetObjectRequest { BucketName = "sdk-bucket", Key = "dir/object with spaces.bin", ByteRange = new ByteRange(100, 199) }))
        {
            using var copy = new MemoryStream();
            await ranged.ResponseStream.CopyToAsync(copy);
            Assert.Equal(data[100..200], copy.ToArray());
        }

        ListObjectsV2Response listing = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = "sdk-bucket", Prefix = "dir/", Delimiter = "/" });
        Assert.Equal("dir/object with spaces.bin", Assert.Single(listing.S3Objects).Key);

        await client.DeleteObjectAsync("sdk-bucket", "dir/object with spaces.bin");
        var missing = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => client.GetObjectAsync("sdk-bucket", "dir/object with spaces.bin"));
        Assert.Equal("NoSuchKey", missing.ErrorCode);
        await client.DeleteBucketAsync("sdk-bucket");
    }

    [Fact]
    public async Task AwsSdkSignsEveryChunkOverPlainHttp()
    {
        // Over HTTP the SDK cannot rely on TLS, so it signs each aws-chunked chunk and the trailer
        // (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER): the chain of signatures must verify.
        await using InProcessServer server = await InProcessServer.StartAsync(tls: false);
        using AmazonS3Client client = SdkClients.Create(server.BaseUrl);

        await client.PutBucketAsync("signed-chunks");
        byte[] data = RandomNumberGenerator.GetBytes(1024 * 1024 + 5);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = "signed-chunks", Key = "k", InputStream = new MemoryStream(data) });
        using GetObjectResponse get = await client.GetObjectAsync("signed-chunks", "k");
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }

    [Fact]
    public async Task Boto3VirtualHostStyle()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        var (exit, stdout, stderr) = await Processes.RunAsync("python3", "-c", """
            import socket, sys, warnings, boto3, botocore
            warnings.filterwarnings("ignore")
            resolve = socket.getaddrinfo
            # *.localhost is loopback (RFC 6761); the system resolver here does not know that.
            socket.getaddrinfo = lambda host, *a, **k: resolve("127.0.0.1" if host.endswith(".localhost") else host, *a, **k)
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1",
                              verify=False, config=botocore.config.Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1}))
            events = []
            s3.meta.events.register("before-send", lambda request, **kw: events.append(request.url))
            s3.create_bucket(Bucket="virtual-bucket")
            s3.put_object(Bucket="virtual-bucket", Key="dir/key", Body=b"hello virtual")
            assert s3.get_object(Bucket="virtual-bucket", Key="dir/key")["Body"].read() == b"hello virtual"
            assert [o["Key"] for o in s3.list_objects_v2(Bucket="virtual-bucket")["Contents"]] == ["dir/key"]
            s3.delete_object(Bucket="virtual-bucket", Key="dir/key")
            s3.delete_bucket(Bucket="virtual-bucket")
            assert all("//virtual-bucket.localhost:" in url for url in events), events
            print("virtual ok")
            """, $"https://localhost:{server.BaseUrl.Port}", AwsCli.AccessKey, AwsCli.SecretKey);
        Assert.True(exit == 0, stderr);
        Assert.Contains("virtual ok", stdout);
    }

    [Fact]
    public async Task Boto3()
    {
        await using InProcessServer server = await InProcessServer.StartAsync();
        string script = Path.Combine(Path.GetTempPath(), $"fasts3-boto3-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(script, """
            import hashlib, os, sys, warnings
            import boto3, botocore
            warnings.filterwarnings("ignore")
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3],
                              region_name="us-east-1", verify=False, config=botocore.config.Config(retries={"max_attempts": 1}))
            s3.create_bucket(Bucket="boto-bucket")
            data = os.urandom(2 * 1024 * 1024 + 3)
            put = s3.put_object(Bucket="boto-bucket", Key="a/b.bin", Body=data, Metadata={"k": "v"})
            assert put["ETag"] == '"' + hashlib.md5(data).hexdigest() + '"', put
            got = s3.get_object(Bucket="boto-bucket", Key="a/b.bin", ChecksumMode="ENABLED")
            assert got["Body"].read() == data
            assert got["Metadata"] == {"k": "v"}, got["Metadata"]
            part = s3.get_object(Bucket="boto-bucket", Key="a/b.bin", Range="bytes=-10")["Body"].read()
            assert part == data[-10:]
            keys = [o["Key"] for o in s3.list_objects_v2(Bucket="boto-bucket")["Contents"]]
            assert keys == ["a/b.bin"], keys
            s3.upload_fileobj(__import__("io").BytesIO(data), "boto-bucket", "uploaded")
            deleted = s3.delete_objects(Bucket="boto-bucket", Delete={"Objects": [{"Key": "a/b.bin"}, {"Key": "uploaded"}]})
            assert len(deleted["Deleted"]) == 2, deleted
            try:
                s3.head_object(Bucket="boto-bucket", Key="a/b.bin")
                raise AssertionError("object still there")
            except botocore.exceptions.ClientError as e:
                assert e.response["Error"]["Code"] == "404", e.response
            s3.delete_bucket(Bucket="boto-bucket")
            print("boto3 ok")
            """);
        try
        {
            var (exit, stdout, stderr) = await Processes.RunAsync("python3", script, server.BaseUrl.ToString().TrimEnd('/'), AwsCli.AccessKey, AwsCli.SecretKey);
            Assert.True(exit == 0, stderr);
            Assert.Contains("boto3 ok", stdout);
        }
        finally
        {
            File.Delete(script);
        }
    }
}
