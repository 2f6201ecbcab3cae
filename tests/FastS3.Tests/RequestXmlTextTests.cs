using FastS3.Testing;
using FastS3.Tests.Hosting;

namespace FastS3.Tests;

/// <summary>
/// Text in request bodies is taken as sent, only XML's escapes decoded: keys that are or hold
/// whitespace delete in bulk (boto3 delete_objects), and an indented document still parses.
/// </summary>
public sealed class RequestXmlTextTests : IAsyncLifetime
{
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InProcessServer.StartAsync();
        await RawMultipart.CreateBucketAsync(_server, "bucket");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task KeysOfWhitespaceDeleteInBulk()
    {
        string[] keys = [" ", "  ", " lead", "trail ", "in side", "\t"];
        foreach (string key in keys)
        {
            await RawMultipart.PutObjectAsync(_server, "bucket", SignedRequests.KeyPath(key), [1, 2, 3]);
        }

        string result = await Boto3.RunAsync(_server, """
            keys = json.loads(args[0])
            out = s3.delete_objects(Bucket="bucket", Delete={"Objects": [{"Key": k} for k in keys]})
            assert not out.get("Errors"), out.get("Errors")
            print(json.dumps(sorted(d["Key"] for d in out["Deleted"])))
            print(json.dumps(s3.list_objects_v2(Bucket="bucket").get("Contents", [])))
            """, System.Text.Json.JsonSerializer.Serialize(keys));
        string[] lines = result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(keys.Order(StringComparer.Ordinal), System.Text.Json.JsonSerializer.Deserialize<string[]>(lines[0]));
        Assert.Equal("[]", lines[1]);
    }

    [Fact]
    public async Task IndentedCompleteDocumentParses()
    {
        string uploadId = await RawMultipart.CreateAsync(_server, "bucket", "indented");
        string etag = await RawMultipart.UploadPartAsync(_server, "bucket", "indented", uploadId, 1, [4, 5, 6]);
        string document = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <CompleteMultipartUpload>
              <Part>
                <PartNumber> 1 </PartNumber>
                <ETag>{etag}</ETag>
              </Part>
            </CompleteMultipartUpload>
            """;
        S3Assert.Status(await RawMultipart.CompleteAsync(_server, "bucket", "indented", uploadId, document), 200);
        Assert.Equal([4, 5, 6], (await RawMultipart.GetAsync(_server, "bucket", "indented")).Body);
    }
}
