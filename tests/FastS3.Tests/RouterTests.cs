using System.Text;
using FastS3.Api;
using FastS3.Http;

namespace FastS3.Tests;

public class RouterTests
{
    [Theory]
    [InlineData("GET", "/", "", false, S3Operation.ListBuckets)]
    [InlineData("PUT", "/b", "", false, S3Operation.CreateBucket)]
    [InlineData("PUT", "/b/", "", false, S3Operation.CreateBucket)]
    [InlineData("HEAD", "/b", "", false, S3Operation.HeadBucket)]
    [InlineData("DELETE", "/b", "", false, S3Operation.DeleteBucket)]
    [InlineData("GET", "/b", "location", false, S3Operation.GetBucketLocation)]
    [InlineData("GET", "/b", "", false, S3Operation.ListObjectsV1)]
    [InlineData("GET", "/b", "prefix=a%2F&marker=x", false, S3Operation.ListObjectsV1)]
    [InlineData("GET", "/b", "list-type=2&prefix=a%2F&encoding-type=url", false, S3Operation.ListObjectsV2)]
    [InlineData("GET", "/b", "versions", false, S3Operation.ListObjectVersions)]
    [InlineData("GET", "/b", "uploads", false, S3Operation.ListMultipartUploads)]
    [InlineData("POST", "/b", "delete", false, S3Operation.DeleteObjects)]
    [InlineData("PUT", "/b/k", "", false, S3Operation.PutObject)]
    [InlineData("PUT", "/b/k", "", true, S3Operation.CopyObject)]
    [InlineData("GET", "/b/k", "", false, S3Operation.GetObject)]
    [InlineData("GET", "/b/k", "partNumber=2", false, S3Operation.GetObject)]
    [InlineData("HEAD", "/b/a/b/c", "", false, S3Operation.HeadObject)]
    [InlineData("DELETE", "/b/k", "", false, S3Operation.DeleteObject)]
    [InlineData("POST", "/b/k", "uploads", false, S3Operation.CreateMultipartUpload)]
    [InlineData("PUT", "/b/k", "partNumber=1&uploadId=abc", false, S3Operation.UploadPart)]
    [InlineData("PUT", "/b/k", "partNumber=1&uploadId=abc", true, S3Operation.UploadPartCopy)]
    [InlineData("POST", "/b/k", "uploadId=abc", false, S3Operation.CompleteMultipartUpload)]
    [InlineData("DELETE", "/b/k", "uploadId=abc", false, S3Operation.AbortMultipartUpload)]
    [InlineData("GET", "/b/k", "uploadId=abc", false, S3Operation.ListParts)]
    [InlineData("GET", "/b/k", "acl", false, S3Operation.GetObjectAcl)]
    [InlineData("PUT", "/b/k", "acl", false, S3Operation.PutObjectAcl)]
    [InlineData("PUT", "/b/k", "acl", true, S3Operation.PutObjectAcl)]
    [InlineData("HEAD", "/b/k", "acl", false, S3Operation.NotImplemented)]
    [InlineData("DELETE", "/b/k", "acl", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b/k", "uploadId=x&acl", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b", "acl", false, S3Operation.GetBucketAcl)]
    [InlineData("PUT", "/b", "acl", false, S3Operation.PutBucketAcl)]
    [InlineData("GET", "/b", "versioning", false, S3Operation.GetBucketVersioning)]
    [InlineData("GET", "/b/k", "versioning", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b/k", "attributes", false, S3Operation.GetObjectAttributes)]
    [InlineData("HEAD", "/b/k", "attributes", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b", "attributes", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b/k", "tagging", false, S3Operation.GetObjectTagging)]
    [InlineData("PUT", "/b/k", "tagging", false, S3Operation.PutObjectTagging)]
    [InlineData("PUT", "/b/k", "tagging", true, S3Operation.PutObjectTagging)]
    [InlineData("DELETE", "/b/k", "tagging", false, S3Operation.DeleteObjectTagging)]
    [InlineData("HEAD", "/b/k", "tagging", false, S3Operation.NotImplemented)]
    [InlineData("PUT", "/b/k", "tagging&uploadId=x&partNumber=1", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b", "tagging", false, S3Operation.GetBucketTagging)]
    [InlineData("PUT", "/b", "tagging", false, S3Operation.PutBucketTagging)]
    [InlineData("DELETE", "/b", "tagging", false, S3Operation.DeleteBucketTagging)]
    [InlineData("POST", "/b", "tagging", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b", "encryption", false, S3Operation.GetBucketEncryption)]
    [InlineData("PUT", "/b", "encryption", false, S3Operation.PutBucketEncryption)]
    [InlineData("PUT", "/b", "encryption=", false, S3Operation.PutBucketEncryption)]
    [InlineData("DELETE", "/b", "encryption", false, S3Operation.DeleteBucketEncryption)]
    [InlineData("POST", "/b", "encryption", false, S3Operation.NotImplemented)]
    [InlineData("HEAD", "/b", "encryption", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b", "encryption&policy", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b/k", "encryption", false, S3Operation.NotImplemented)]
    [InlineData("PUT", "/b/k", "encryption", false, S3Operation.NotImplemented)]
    [InlineData("GET", "/b", "policy", false, S3Operation.NotImplemented)]
    [InlineData("PUT", "/b", "versioning", false, S3Operation.NotImplemented)]
    [InlineData("POST", "/b/k", "", false, S3Operation.NotImplemented)]
    [InlineData("PATCH", "/b/k", "", false, S3Operation.NotImplemented)]
    [InlineData("PUT", "/", "", false, S3Operation.NotImplemented)]
    public void RoutesByMethodPathAndSubresource(string method, string path, string query, bool copySource, S3Operation expected)
    {
        HttpMethod parsed = Enum.Parse<HttpMethod>(method, ignoreCase: true);
        S3Route route = S3Router.Route(parsed, Encoding.ASCII.GetBytes(path), Encoding.ASCII.GetBytes(query), copySource);
        Assert.Equal(expected, route.Operation);
    }

    [Theory]
    [InlineData("GET", "/", "", S3Operation.ListObjectsV1, "")]
    [InlineData("GET", "/", "list-type=2", S3Operation.ListObjectsV2, "")]
    [InlineData("PUT", "/", "", S3Operation.CreateBucket, "")]
    [InlineData("PUT", "/a/b", "", S3Operation.PutObject, "a/b")]
    [InlineData("GET", "//x", "", S3Operation.GetObject, "/x")]
    public void VirtualHostStyleTakesTheBucketFromTheHost(string method, string path, string query, S3Operation expected, string key)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(path);
        S3Route route = S3Router.Route(Enum.Parse<HttpMethod>(method, ignoreCase: true), bytes, Encoding.ASCII.GetBytes(query), false, hostBucketLength: 9);
        Assert.Equal(expected, route.Operation);
        Assert.True(route.BucketInHost);
        Assert.Equal((0, 9), (route.BucketStart, route.BucketLength));
        Assert.Equal(key, Encoding.ASCII.GetString(bytes.AsSpan(route.KeyStart, route.KeyLength)));
    }

    [Theory]
    [InlineData("my-bucket.localhost:9000", 9)]
    [InlineData("my-bucket.LOCALHOST", 9)]
    [InlineData("a.b.c.localhost:1", 5)]
    [InlineData("localhost:9000", 0)]
    [InlineData("127.0.0.1:9000", 0)]
    [InlineData("[::1]:9000", 0)]
    [InlineData("bucket.example.com", 0)]
    public void HostNamesABucketOnlyUnderAConfiguredDomain(string host, int bucketLength)
        => Assert.Equal(bucketLength, new VirtualHost(["localhost"]).BucketLength(Encoding.ASCII.GetBytes(host)));

    [Theory]
    [InlineData("/", "", "")]
    [InlineData("/bucket", "bucket", "")]
    [InlineData("/bucket/", "bucket", "")]
    [InlineData("/bucket/key", "bucket", "key")]
    [InlineData("/bucket/a/b//c/", "bucket", "a/b//c/")]
    [InlineData("/bucket/%2F..%2Fx", "bucket", "%2F..%2Fx")]
    public void FindsBucketAndRawKey(string path, string bucket, string key)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(path);
        S3Route route = S3Router.Route(HttpMethod.Get, bytes, default, false);
        Assert.Equal(bucket, Encoding.ASCII.GetString(bytes.AsSpan(route.BucketStart, route.BucketLength)));
        Assert.Equal(key, Encoding.ASCII.GetString(bytes.AsSpan(route.KeyStart, route.KeyLength)));
    }

    [Theory]
    [InlineData("", 0)]
    [InlineData("partNumber=7", 7)]
    [InlineData("partNumber=10000&uploadId=x", 10000)]
    [InlineData("uploadId=x&partNumber=%31%32", 12)]
    [InlineData("partNumber=1&partNumber=2", 1)]
    [InlineData("partNumber=", -1)]
    [InlineData("partNumber", -1)]
    [InlineData("partNumber=0", -1)]
    [InlineData("partNumber=10001", -1)]
    [InlineData("partNumber=-1", -1)]
    [InlineData("partNumber=1x", -1)]
    [InlineData("partNumber=000000001", -1)]
    [InlineData("partNumber=%2B1", -1)]
    public void ParsesThePartNumberOnce(string query, int expected)
    {
        S3Route route = S3Router.Route(HttpMethod.Put, "/b/k"u8, Encoding.ASCII.GetBytes(query), hasCopySource: false);
        Assert.Equal(expected, route.PartNumber);
    }

    [Theory]
    [InlineData("uploadId=00112233445566778899aabbccddeeff", true)]
    [InlineData("uploadId=00112233445566778899AABBCCDDEEFF&uploadId=zz", true)]
    [InlineData("uploadId=00112233445566778899aabbccddeef", false)]
    [InlineData("uploadId=00112233445566778899aabbccddeeff00", false)]
    [InlineData("uploadId=00112233445566778899aabbccddeegg", false)]
    [InlineData("uploadId=", false)]
    [InlineData("", false)]
    public void ParsesTheUploadIdOnce(string query, bool valid)
    {
        S3Route route = S3Router.Route(HttpMethod.Get, "/b/k"u8, Encoding.ASCII.GetBytes(query), hasCopySource: false);
        Assert.Equal(valid, route.HasUploadId);
        if (valid)
        {
            UploadIdBytes id = route.UploadId;
            Assert.Equal(Convert.FromHexString("00112233445566778899aabbccddeeff"), ((ReadOnlySpan<byte>)id).ToArray());
        }
    }
}
