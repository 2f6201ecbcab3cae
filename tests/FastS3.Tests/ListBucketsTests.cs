using FastS3.Tests.Hosting;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// ListBuckets with AWS's 2024 parameters, as boto3 sends them: pages of max-buckets joined by
/// ContinuationToken, a prefix, a region; each bucket with its region.
/// </summary>
public sealed class ListBucketsTests(ListBucketsTests.Fixture fixture) : IClassFixture<ListBucketsTests.Fixture>
{
    private static readonly string[] Names = ["alpha-1", "alpha-2", "alpha-3", "beta-1", "beta-2"];

    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override async Task PrepareAsync(InProcessServer server)
        {
            foreach (string name in Names)
            {
                await RawMultipart.CreateBucketAsync(server, name);
            }
        }
    }

    [Fact]
    public async Task PagesJoinedByTheTokenListEveryBucketOnce()
    {
        string result = await Boto3.RunAsync(fixture.Server, """
            names, pages, token = [], 0, None
            while True:
                out = s3.list_buckets(MaxBuckets=2, **({"ContinuationToken": token} if token else {}))
                pages += 1
                names += [b["Name"] for b in out["Buckets"]]
                assert all(b["BucketRegion"] == "us-east-1" for b in out["Buckets"]), out["Buckets"]
                token = out.get("ContinuationToken")
                if not token:
                    break
            print(pages, ",".join(names))
            print(",".join(b["Name"] for b in s3.list_buckets()["Buckets"]))
            """);
        Assert.Equal(["3 " + string.Join(',', Names), string.Join(',', Names)], Lines(result));
    }

    [Fact]
    public async Task PrefixAndRegionFilter()
    {
        string result = await Boto3.RunAsync(fixture.Server, """
            out = s3.list_buckets(Prefix="alpha-", MaxBuckets=2)
            print(",".join(b["Name"] for b in out["Buckets"]), out.get("Prefix"), "ContinuationToken" in out)
            out = s3.list_buckets(Prefix="alpha-", ContinuationToken=out["ContinuationToken"])
            print(",".join(b["Name"] for b in out["Buckets"]), "ContinuationToken" in out)
            print(len(s3.list_buckets(BucketRegion="eu-west-1")["Buckets"]), len(s3.list_buckets(BucketRegion="us-east-1")["Buckets"]))
            """);
        Assert.Equal(["alpha-1,alpha-2 alpha- True", "alpha-3 False", "0 5"], Lines(result));
    }

    [Theory]
    [InlineData("max-buckets=0")]
    [InlineData("max-buckets=10001")]
    [InlineData("max-buckets=two")]
    [InlineData("continuation-token=")]
    [InlineData("continuation-token=..%2F..%2Fetc")]
    [InlineData("prefix=%FF")]
    public async Task InvalidParametersAreInvalidArgument(string query)
        => S3Assert.Error(await SignedRequests.SendAsync(fixture.Server, "GET", "/?" + query, []), 400, "InvalidArgument");

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
