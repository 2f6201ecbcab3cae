using FastS3.Tests.Hosting;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// The bucket and object subresources every tool calls: versioning reads as never enabled; ACLs
/// read as the owner's FULL_CONTROL, and set requests succeed for exactly that and are refused with
/// 501 for anything granting more (canned ACLs, grant headers, policies), never ignored. boto3 and
/// aws-cli at their defaults, over TLS.
/// </summary>
public sealed class AclAndVersioningTests(AclAndVersioningTests.Fixture fixture) : IClassFixture<AclAndVersioningTests.Fixture>
{
    private const string Bucket = "acls";

    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override async Task PrepareAsync(InProcessServer server)
        {
            await RawMultipart.CreateBucketAsync(server, Bucket);
            await RawMultipart.PutObjectAsync(server, Bucket, "plain", [1, 2, 3]);
        }
    }

    private InProcessServer Server => fixture.Server;

    [Fact]
    public async Task VersioningReadsAsNeverEnabledAndCannotBeEnabled()
    {
        string result = await Boto3.RunAsync(Server, """
            out = s3.get_bucket_versioning(Bucket=args[0])
            print(out.get("Status", "none"), out.get("MFADelete", "none"))
            print(outcome(lambda: s3.put_bucket_versioning(Bucket=args[0], VersioningConfiguration={"Status": "Enabled"})))
            print(outcome(lambda: s3.get_bucket_versioning(Bucket="missing-bucket")))
            """, Bucket);
        Assert.Equal(["none none", "501 NotImplemented", "404 NoSuchBucket"], Lines(result));

        var (exit, stdout, _) = await AwsCli.RunWarmAsync(Server.BaseUrl, "s3api", "get-bucket-versioning", "--bucket", Bucket);
        Assert.Equal(0, exit);
        Assert.Equal("", stdout.Trim());
    }

    [Fact]
    public async Task AclsReadAsTheOwnersFullControl()
    {
        string result = await Boto3.RunAsync(Server, """
            owner = s3.list_buckets()["Owner"]
            for acl in (s3.get_bucket_acl(Bucket=args[0]), s3.get_object_acl(Bucket=args[0], Key="plain")):
                assert acl["Owner"] == owner, (acl["Owner"], owner)
                grants = acl["Grants"]
                assert len(grants) == 1, grants
                assert grants[0]["Permission"] == "FULL_CONTROL", grants
                assert grants[0]["Grantee"]["Type"] == "CanonicalUser", grants
                assert grants[0]["Grantee"]["ID"] == owner["ID"], grants
                print("ok")
            print(outcome(lambda: s3.get_object_acl(Bucket=args[0], Key="missing")))
            print(outcome(lambda: s3.get_bucket_acl(Bucket="missing-bucket")))
            """, Bucket);
        Assert.Equal(["ok", "ok", "404 NoSuchKey", "404 NoSuchBucket"], Lines(result));
    }

    [Fact]
    public async Task AnSseCObjectsAclNeedsNoKey()
    {
        string result = await Boto3.RunAsync(Server, """
            key = b"k" * 32
            s3.put_object(Bucket=args[0], Key="sealed", Body=b"secret", SSECustomerAlgorithm="AES256", SSECustomerKey=key)
            print(s3.get_object_acl(Bucket=args[0], Key="sealed")["Grants"][0]["Permission"])
            s3.put_object_acl(Bucket=args[0], Key="sealed", ACL="private")
            print(s3.get_object(Bucket=args[0], Key="sealed", SSECustomerAlgorithm="AES256", SSECustomerKey=key)["Body"].read().decode())
            """, Bucket);
        Assert.Equal(["FULL_CONTROL", "secret"], Lines(result));
    }

    [Fact]
    public async Task SettingTheOwnersFullControlSucceeds()
    {
        // The round trip tools do: read the ACL, write it back; and the canned equivalents.
        string result = await Boto3.RunAsync(Server, """
            acl = s3.get_bucket_acl(Bucket=args[0])
            s3.put_bucket_acl(Bucket=args[0], AccessControlPolicy={"Owner": acl["Owner"], "Grants": acl["Grants"]})
            s3.put_bucket_acl(Bucket=args[0], ACL="private")
            s3.put_object_acl(Bucket=args[0], Key="plain", ACL="bucket-owner-full-control")
            s3.put_object(Bucket=args[0], Key="canned", Body=b"x", ACL="private")
            s3.copy_object(Bucket=args[0], Key="copied", CopySource={"Bucket": args[0], "Key": "canned"}, ACL="private")
            s3.create_multipart_upload(Bucket=args[0], Key="mpu", ACL="bucket-owner-full-control")
            s3.create_bucket(Bucket="acls-private", ACL="private")
            print("ok")
            """, Bucket);
        Assert.Equal(["ok"], Lines(result));
    }

    [Fact]
    public async Task AnythingGrantingMoreIsRefusedAndChangesNothing()
    {
        string result = await Boto3.RunAsync(Server, """
            owner = s3.get_bucket_acl(Bucket=args[0])["Owner"]
            public = {"Owner": owner, "Grants": [
                {"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"},
                {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}
            calls = [
                lambda: s3.put_object(Bucket=args[0], Key="public", Body=b"x", ACL="public-read"),
                lambda: s3.put_object(Bucket=args[0], Key="public", Body=b"x", GrantRead='uri="http://acs.amazonaws.com/groups/global/AllUsers"'),
                lambda: s3.copy_object(Bucket=args[0], Key="public", CopySource={"Bucket": args[0], "Key": "plain"}, ACL="authenticated-read"),
                lambda: s3.create_multipart_upload(Bucket=args[0], Key="public", ACL="public-read-write"),
                lambda: s3.create_bucket(Bucket="acls-public", ACL="public-read"),
                lambda: s3.put_bucket_acl(Bucket=args[0], ACL="public-read"),
                lambda: s3.put_bucket_acl(Bucket=args[0], AccessControlPolicy=public),
                lambda: s3.put_object_acl(Bucket=args[0], Key="plain", GrantFullControl='id="someone-else"'),
            ]
            for call in calls:
                print(outcome(call))
            names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
            print("acls-public" in names, "public" in [o["Key"] for o in s3.list_objects_v2(Bucket=args[0]).get("Contents", [])])
            """, Bucket);
        Assert.Equal([.. Enumerable.Repeat("501 NotImplemented", 8), "False False"], Lines(result));
    }

    [Fact]
    public async Task ObjectLockOnAWriteIsRefusedNotDropped()
    {
        string result = await Boto3.RunAsync(Server, """
            import datetime
            until = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
            calls = [
                lambda: s3.put_object(Bucket=args[0], Key="locked", Body=b"x", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until),
                lambda: s3.put_object(Bucket=args[0], Key="locked", Body=b"x", ObjectLockLegalHoldStatus="ON"),
                lambda: s3.copy_object(Bucket=args[0], Key="locked", CopySource={"Bucket": args[0], "Key": "plain"}, ObjectLockLegalHoldStatus="ON"),
                lambda: s3.create_multipart_upload(Bucket=args[0], Key="locked", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until),
            ]
            for call in calls:
                print(outcome(call))
            print(sorted(o["Key"] for o in s3.list_objects_v2(Bucket=args[0]).get("Contents", []) if o["Key"] == "locked"))
            """, Bucket);
        Assert.Equal([.. Enumerable.Repeat("501 NotImplemented", 4), "[]"], Lines(result));
    }

    [Fact]
    public async Task BadAclRequestsAreS3Errors()
    {
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}/plain", [1], ["x-amz-acl: world-writable"]), 400, "InvalidArgument");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?acl", []), 400, "MissingSecurityHeader");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?acl", "<AccessControlPolicy><Grant>"u8.ToArray()), 400, "MalformedACLError");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?acl", "<x/>"u8.ToArray(), ["x-amz-acl: private"]), 400, "UnexpectedContent");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "DELETE", $"/{Bucket}?acl", []), 501, "NotImplemented");

        // A policy is read whole, to 64 KiB: one larger is refused as it arrives, and nothing changes.
        byte[] huge = System.Text.Encoding.ASCII.GetBytes("<AccessControlPolicy>" + string.Concat(Enumerable.Repeat("<Grant><Permission>READ</Permission></Grant>", 2000)) + "</AccessControlPolicy>");
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?acl", huge), 400, "MaxMessageLengthExceeded");
        S3Assert.Status(await SignedRequests.SendAsync(Server, "GET", $"/{Bucket}?acl", []), 200);
        S3Assert.Error(await SignedRequests.SendAsync(Server, "PUT", $"/{Bucket}?versioning", []), 501, "NotImplemented");
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
