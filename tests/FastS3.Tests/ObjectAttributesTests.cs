using FastS3.Tests.Hosting;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>GetObjectAttributes with boto3 and aws-cli: plain, multipart (paged parts) and SSE-C objects.</summary>
public sealed class ObjectAttributesTests(ObjectAttributesTests.Fixture fixture) : IClassFixture<ObjectAttributesTests.Fixture>
{
    private const string Bucket = "attributes";

    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override Task PrepareAsync(InProcessServer server) => RawMultipart.CreateBucketAsync(server, Bucket);
    }

    [Fact]
    public async Task ASingleObjectsAttributes()
    {
        string result = await Boto3.RunAsync(fixture.Server, """
            put = s3.put_object(Bucket=args[0], Key="single", Body=b"hello attributes", ChecksumAlgorithm="CRC32")
            out = s3.get_object_attributes(Bucket=args[0], Key="single", ObjectAttributes=["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"])
            assert out["ETag"] == put["ETag"].strip('"'), (out["ETag"], put["ETag"])
            assert out["Checksum"]["ChecksumCRC32"] == put["ChecksumCRC32"], out["Checksum"]
            print(out["Checksum"]["ChecksumType"], out["StorageClass"], out["ObjectSize"], "ObjectParts" in out, out["LastModified"] is not None)
            out = s3.get_object_attributes(Bucket=args[0], Key="single", ObjectAttributes=["ObjectSize"])
            print(sorted(k for k in out if k != "ResponseMetadata"))
            """, Bucket);
        Assert.Equal(["FULL_OBJECT STANDARD 16 False True", "['LastModified', 'ObjectSize']"], Lines(result));
    }

    [Fact]
    public async Task AMultipartObjectsPartsPage()
    {
        string result = await Boto3.RunAsync(fixture.Server, """
            up = s3.create_multipart_upload(Bucket=args[0], Key="multi")["UploadId"]
            sizes = [5 << 20, 5 << 20, 1000]
            parts = [{"PartNumber": n + 1, "ETag": s3.upload_part(Bucket=args[0], Key="multi", UploadId=up, PartNumber=n + 1, Body=bytes([n]) * size)["ETag"]} for n, size in enumerate(sizes)]
            s3.complete_multipart_upload(Bucket=args[0], Key="multi", UploadId=up, MultipartUpload={"Parts": parts})
            first = s3.get_object_attributes(Bucket=args[0], Key="multi", ObjectAttributes=["ObjectParts", "ObjectSize"], MaxParts=2)["ObjectParts"]
            print(first["TotalPartsCount"], first["IsTruncated"], first["NextPartNumberMarker"], [(p["PartNumber"], p["Size"]) for p in first["Parts"]])
            rest = s3.get_object_attributes(Bucket=args[0], Key="multi", ObjectAttributes=["ObjectParts"], MaxParts=2, PartNumberMarker=first["NextPartNumberMarker"])["ObjectParts"]
            print(rest["IsTruncated"], [(p["PartNumber"], p["Size"]) for p in rest["Parts"]])
            """, Bucket);
        Assert.Equal(["3 True 2 [(1, 5242880), (2, 5242880)]", "False [(3, 1000)]"], Lines(result));
    }

    [Fact]
    public async Task AnSseCObjectsAttributesNeedItsKey()
    {
        string result = await Boto3.RunAsync(fixture.Server, """
            import base64, hashlib
            # botocore encodes the key and adds its MD5 for GET, HEAD and PUT, not for this call: done here.
            def sse(raw):
                return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": base64.b64encode(raw).decode(), "SSECustomerKeyMD5": base64.b64encode(hashlib.md5(raw).digest()).decode()}
            key, other = b"a" * 32, b"b" * 32
            s3.put_object(Bucket=args[0], Key="sealed", Body=b"sealed body", ChecksumAlgorithm="SHA256", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
            out = s3.get_object_attributes(Bucket=args[0], Key="sealed", ObjectAttributes=["Checksum", "ObjectSize"], **sse(key))
            print(sorted(out["Checksum"]), out["ObjectSize"])
            for extra in ({}, sse(other)):
                print(outcome(lambda: s3.get_object_attributes(Bucket=args[0], Key="sealed", ObjectAttributes=["ObjectSize"], **extra)))
            """, Bucket);
        Assert.Equal(["['ChecksumSHA256', 'ChecksumType'] 11", "400 InvalidRequest", "403 AccessDenied"], Lines(result));
    }

    [Fact]
    public async Task AwsCliReadsThem()
    {
        await RawMultipart.PutObjectAsync(fixture.Server, Bucket, "cli", new byte[1234]);
        var (exit, stdout, stderr) = await AwsCli.RunWarmAsync(fixture.Server.BaseUrl, "s3api", "get-object-attributes", "--bucket", Bucket, "--key", "cli", "--object-attributes", "ObjectSize", "StorageClass");
        Assert.True(exit == 0, stderr);
        Assert.Contains("\"ObjectSize\": 1234", stdout);
        Assert.Contains("\"StorageClass\": \"STANDARD\"", stdout);
    }

    [Theory]
    [InlineData(new string[0], "InvalidArgument")]
    [InlineData(new[] { "x-amz-object-attributes: ETag,Colour" }, "InvalidArgument")]
    [InlineData(new[] { "x-amz-object-attributes: etag" }, "InvalidArgument")]
    [InlineData(new[] { "x-amz-object-attributes: ETag", "x-amz-max-parts: 1001" }, "InvalidArgument")]
    [InlineData(new[] { "x-amz-object-attributes: ETag", "x-amz-part-number-marker: -1" }, "InvalidArgument")]
    public async Task BadRequestsAreS3Errors(string[] headers, string code)
        => S3Assert.Error(await SignedRequests.SendAsync(fixture.Server, "GET", $"/{Bucket}/anything?attributes", [], headers), 400, code);

    [Fact]
    public async Task AMissingObjectIsNoSuchKey()
        => S3Assert.Error(await SignedRequests.SendAsync(fixture.Server, "GET", $"/{Bucket}/missing?attributes", [], "x-amz-object-attributes: ETag"), 404, "NoSuchKey");

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
