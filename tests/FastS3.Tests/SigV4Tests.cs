using System.Text;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// SigV4 verification through the real transport: AWS's published S3 examples, then requests
/// aws-cli actually signed, then every way a request can fail.
/// </summary>
public class SigV4Tests
{
    private const string ExampleAccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static readonly DateTimeOffset ExampleTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    // The aws-cli captures were signed at 2026-11-27 11:04-11:05 UTC (tests/FastS3.Testing/Fixtures/README.md).
    private static readonly DateTimeOffset CaptureTime = new(2026, 11, 27, 11, 5, 0, TimeSpan.Zero);

    /// <summary>Answers 200 when the request verifies, else the error's status with its code in a header.</summary>
    private sealed class VerifyingApplication(SigV4Verifier verifier) : IHttpApplication
    {
        private readonly SignatureContext _context = new();

        public PayloadMode LastPayload => _context.Payload;

        public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            S3Error? error = verifier.Verify(request, _context);
            await request.Body.ReadToEndAsync(new System.Buffers.ArrayBufferWriter<byte>(), long.MaxValue);
            response.StatusCode = error?.Status ?? 200;
            response.Headers.Add("x-code"u8, error?.Code ?? "OK");
            response.ContentLength = 0;
        }
    }

    private static async Task<(int Status, string Code)> Verify(string request, string accessKey, string secret, DateTimeOffset now)
    {
        var app = new VerifyingApplication(new SigV4Verifier(new AccessKeys(accessKey, secret), new FixedClock(now)));
        return Parse(await InMemoryConnection.RunAsync(app, request));
    }

    private static async Task<(int Status, string Code)> Verify(byte[] request, DateTimeOffset now, string secret = "fasts3admin-secret-change-me")
    {
        var app = new VerifyingApplication(new SigV4Verifier(new AccessKeys("fasts3admin", secret), new FixedClock(now)));
        return Parse(await InMemoryConnection.RunAsync(app, request));
    }

    private static (int, string) Parse(string raw)
    {
        int[] statuses = RawResponses.StatusCodes(raw);
        int at = raw.IndexOf("x-code: ", StringComparison.Ordinal) + 8;
        return (statuses[^1], raw[at..raw.IndexOf('\r', at)]);
    }

    private static string Example(string requestLine, string signedHeaders, string signature, string extraHeaders = "", string sha = EmptySha256) =>
        $"{requestLine}\r\nHost: examplebucket.s3.amazonaws.com\r\n{extraHeaders}x-amz-date: 20130524T000000Z\r\nx-amz-content-sha256: {sha}\r\n" +
        $"Authorization: AWS4-HMAC-SHA256 Credential={ExampleAccessKey}/20130524/us-east-1/s3/aws4_request,SignedHeaders={signedHeaders},Signature={signature}\r\n\r\n";

    private const string PresignedExample =
        "GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1\r\nHost: examplebucket.s3.amazonaws.com\r\n\r\n";

    public static TheoryData<string> AwsExamples => new()
    {
        // GET Object with a Range header.
        Example("GET /test.txt HTTP/1.1", "host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41", "Range: bytes=0-9\r\n"),
        // PUT Object: a '$' in the key, a Date header, a storage class, and a signed payload hash.
        Example("PUT /test$file.text HTTP/1.1", "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
            "Date: Fri, 24 May 2013 00:00:00 GMT\r\nx-amz-storage-class: REDUCED_REDUNDANCY\r\nContent-Length: 21\r\n", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
            .Replace("\r\n\r\n", "\r\n\r\nWelcome to Amazon S3."),
        // GET Bucket Lifecycle: a bare subresource in the query.
        Example("GET /?lifecycle HTTP/1.1", "host;x-amz-content-sha256;x-amz-date", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        // GET Bucket (list objects): parameters that must be sorted.
        Example("GET /?max-keys=2&prefix=J HTTP/1.1", "host;x-amz-content-sha256;x-amz-date", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
        // Presigned GET, valid for a day.
        PresignedExample,
    };

    [Theory]
    [MemberData(nameof(AwsExamples))]
    public async Task AwsPublishedExamplesVerify(string request)
    {
        Assert.Equal((200, "OK"), await Verify(request, ExampleAccessKey, ExampleSecret, ExampleTime.AddMinutes(10)));
        Assert.Equal((403, "SignatureDoesNotMatch"), await Verify(request, ExampleAccessKey, ExampleSecret.Replace('w', 'W'), ExampleTime));
    }

    [Fact]
    public async Task AwsPresignedExampleExpiresAfterItsLifetime()
    {
        string request = PresignedExample;
        Assert.Equal((200, "OK"), await Verify(request, ExampleAccessKey, ExampleSecret, ExampleTime.AddSeconds(86400)));
        Assert.Equal((403, "AccessDenied"), await Verify(request, ExampleAccessKey, ExampleSecret, ExampleTime.AddSeconds(86401)));
        Assert.Equal((403, "AccessDenied"), await Verify(request, ExampleAccessKey, ExampleSecret, ExampleTime.AddMinutes(-16)));
    }

    [Theory]
    [InlineData("X-Amz-Expires=86400", "X-Amz-Expires=604801")]
    [InlineData("X-Amz-Expires=86400", "X-Amz-Expires=0")]
    [InlineData("X-Amz-Expires=86400&", "")]
    [InlineData("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1")]
    [InlineData("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24")]
    public async Task MalformedPresignedQueriesAreRejected(string find, string replace)
    {
        string request = PresignedExample.Replace(find, replace);
        Assert.Equal((400, "AuthorizationQueryParametersError"), await Verify(request, ExampleAccessKey, ExampleSecret, ExampleTime));
    }

    [Theory]
    [InlineData("awscli-put-object-https.bin", PayloadMode.StreamingUnsignedTrailer)]
    [InlineData("awscli-put-object-http.bin", PayloadMode.Sha256)]
    [InlineData("awscli-get-object-https.bin", PayloadMode.Sha256)]
    [InlineData("awscli-list-objects-v2-https.bin", PayloadMode.Sha256)]
    [InlineData("awscli-create-bucket-https.bin", PayloadMode.Sha256)]
    public async Task AwsCliSignaturesVerify(string fixture, PayloadMode payload)
    {
        byte[] request = Fixtures.Load(fixture);
        var app = new VerifyingApplication(new SigV4Verifier(new AccessKeys("fasts3admin", "fasts3admin-secret-change-me"), new FixedClock(CaptureTime)));
        Assert.Equal((200, "OK"), Parse(await InMemoryConnection.RunAsync(app, request)));
        Assert.Equal(payload, app.LastPayload);
    }

    [Fact]
    public async Task EveryFailureHasItsCode()
    {
        byte[] get = Fixtures.Load("awscli-get-object-https.bin");
        string text = Encoding.Latin1.GetString(get);

        Assert.Equal((403, "SignatureDoesNotMatch"), await Verify(get, CaptureTime, secret: "not-the-secret"));
        Assert.Equal((403, "RequestTimeTooSkewed"), await Verify(get, CaptureTime.AddMinutes(20)));
        Assert.Equal((403, "RequestTimeTooSkewed"), await Verify(get, CaptureTime.AddMinutes(-20)));
        Assert.Equal((403, "InvalidAccessKeyId"), await Verify(Latin1(text.Replace("Credential=fasts3admin/", "Credential=someoneelse/")), CaptureTime));

        // A signed header changed in transit.
        Assert.Equal((403, "SignatureDoesNotMatch"), await Verify(Latin1(text.Replace("x-amz-checksum-mode: ENABLED", "x-amz-checksum-mode: DISABLED")), CaptureTime));
        Assert.Equal((403, "SignatureDoesNotMatch"), await Verify(Latin1(text.Replace("GET /my-bucket/my-secret-diary", "GET /my-bucket/my-secret-diarz")), CaptureTime));

        // Shapes of a broken Authorization header.
        Assert.Equal((400, "AuthorizationHeaderMalformed"), await Verify(Latin1(text.Replace("SignedHeaders=", "Signedheaders=")), CaptureTime));
        Assert.Equal((400, "AuthorizationHeaderMalformed"), await Verify(Latin1(text.Replace("/s3/aws4_request", "/s3/aws4_request/x")), CaptureTime));
        Assert.Equal((400, "AuthorizationHeaderMalformed"), await Verify(Latin1(text.Replace("/s3/aws4_request", "/ec2/aws4_request")), CaptureTime));
        Assert.Equal((400, "AuthorizationHeaderMalformed"), await Verify(Latin1(text.Replace("Credential=fasts3admin/20261127", "Credential=fasts3admin/20261126")), CaptureTime));
        Assert.Equal((403, "AccessDenied"), await Verify(Latin1(text.Replace("Authorization: AWS4-HMAC-SHA256 ", "Authorization: AWS fasts3admin:")), CaptureTime));

        // Missing pieces.
        Assert.Equal((400, "InvalidRequest"), await Verify(Latin1(text.Replace("X-Amz-Content-SHA256", "X-Amz-Content-SHA257")), CaptureTime));
        Assert.Equal((400, "InvalidArgument"), await Verify(Latin1(text.Replace(EmptySha256, "not-a-hash")), CaptureTime));
        Assert.Equal((403, "AccessDenied"), await Verify(Latin1(text.Replace("Authorization:", "X-Not-Authorization:")), CaptureTime));
        Assert.Equal((403, "AccessDenied"), await Verify(Latin1(text.Replace("X-Amz-Date:", "X-Amz-Datum:")), CaptureTime));
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
