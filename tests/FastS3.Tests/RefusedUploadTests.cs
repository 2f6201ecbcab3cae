using System.Text.Json;
using FastS3.Testing;
using FastS3.Tests.Hosting;
using static FastS3.Testing.RawMultipart;

namespace FastS3.Tests;

/// <summary>
/// Uploads refused before their bodies are read (a part without its upload's SSE-C key or with
/// another, a PUT whose signature fails), from SDK clients over TLS: the S3 error must reach them
/// on their first and only try. A client that sends its body (boto3 once its wait for 100 Continue
/// is over) writes it whole before it reads, so a server that closes on the unread body resets the
/// connection under the write, and boto3 reports "SSLError: EOF occurred in violation of protocol"
/// instead (then retries).
/// </summary>
public sealed class RefusedUploadTests(RefusedUploadTests.Fixture fixture) : IClassFixture<RefusedUploadTests.Fixture>
{
    private const string Bucket = "bucket";
    private const int PartSize = 16 << 20;

    [Fact]
    public async Task Boto3GetsTheS3ErrorOnItsFirstTry()
    {
        InProcessServer server = fixture.Server;
        string uploadId = await CreateAsync(server, Bucket, "boto3", SseCTests.Triple());
        string stdout = await Boto3.RunAsync(server, """
            sends = []
            def refusal(call, secret=sys.argv[3]):
                client = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=secret, region_name="us-east-1",
                                      verify=False, config=botocore.config.Config(retries={"total_max_attempts": 1}))
                client.meta.events.register("before-send", lambda **kwargs: sends.append(1))
                # botocore asks for 100 Continue and sends the body anyway when no answer comes
                # within a second, as from a busy server: without the wait, the body always comes.
                client.meta.events.unregister("before-call.s3", botocore.handlers.add_expect_header)
                try:
                    call(client)
                except botocore.exceptions.ClientError as e:
                    return e.response["Error"]["Code"]
                raise AssertionError("not refused")
            bucket, key, upload_id, other_key, size = args
            body = bytes(int(size))
            part = dict(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=body)
            codes = [
                refusal(lambda c: c.upload_part(**part)),
                refusal(lambda c: c.upload_part(**part, SSECustomerAlgorithm="AES256", SSECustomerKey=other_key)),
                refusal(lambda c: c.put_object(Bucket=bucket, Key="badly-signed", Body=body), secret="not-the-secret"),
            ]
            print(json.dumps({"codes": codes, "sends": len(sends)}))
            """, Bucket, "boto3", uploadId, "another32byteslongsecretkey12345", PartSize.ToString());

        using JsonDocument result = JsonDocument.Parse(stdout);
        Assert.Equal(["InvalidRequest", "AccessDenied", "SignatureDoesNotMatch"], result.RootElement.GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(3, result.RootElement.GetProperty("sends").GetInt32());
        Assert.Equal(0, server.Stored.DataItemCount(Bucket));
    }

    [Fact]
    public async Task AwsCliGetsTheS3Error()
    {
        InProcessServer server = fixture.Server;
        string uploadId = await CreateAsync(server, Bucket, "aws-cli", SseCTests.Triple());
        string body = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(body, new byte[PartSize]);

            // aws-cli streams a file body only after 100 Continue, so the refusal comes first and
            // it never sends the part; AWS_MAX_ATTEMPTS=1: no retry.
            var (exit, _, stderr) = await AwsCli.RunWarmAsync(server.BaseUrl,
                "s3api", "upload-part", "--bucket", Bucket, "--key", "aws-cli", "--upload-id", uploadId, "--part-number", "1", "--body", body);
            Assert.True(exit == 255 && stderr.Contains("(InvalidRequest) when calling the UploadPart operation"), $"{exit}: {stderr}");
        }
        finally
        {
            File.Delete(body);
        }

        Assert.Equal(0, server.Stored.DataItemCount(Bucket));
    }

    /// <summary>One TLS server and a bucket; each test makes its own upload.</summary>
    public sealed class Fixture() : SharedServer(tls: true, [])
    {
        protected override Task PrepareAsync(InProcessServer server) => CreateBucketAsync(server, Bucket);
    }
}
