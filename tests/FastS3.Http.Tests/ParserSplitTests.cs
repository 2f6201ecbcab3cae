using System.Text;
using FastS3.Http.Tests.Infrastructure;
using FastS3.Testing;

namespace FastS3.Http.Tests;

/// <summary>
/// Real aws-cli requests delivered in two pieces split at every byte position, and one byte at a
/// time: the application must see exactly what an unsplit delivery gives it.
/// </summary>
public class ParserSplitTests
{
    public static TheoryData<string> FixtureNames => new(Fixtures.Names);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public async Task EveryTwoWaySplitParsesTheSame(string name)
    {
        byte[] bytes = Fixtures.Load(name);
        RecordedRequest expected = await ParseOnce(bytes, []);

        for (int split = 1; split < bytes.Length; split++)
        {
            RecordedRequest actual = await ParseOnce(bytes, [split]);
            AssertSame(expected, actual, $"split at {split}");
        }
    }

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public async Task OneByteAtATimeParsesTheSame(string name)
    {
        byte[] bytes = Fixtures.Load(name);
        RecordedRequest expected = await ParseOnce(bytes, []);
        RecordedRequest actual = await ParseOnce(bytes, Enumerable.Range(1, bytes.Length - 1).ToArray());
        AssertSame(expected, actual, "byte by byte");
    }

    [Fact]
    public async Task HttpsPutObjectHeadAndBodyAreWhatAwsCliSent()
    {
        RecordedRequest request = await ParseOnce(Fixtures.Load("awscli-put-object-https.bin"), []);

        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/my-bucket/my-secret-diary", request.Target);
        Assert.Equal("", request.Query);
        Assert.Equal(HttpVersion.Http11, request.Version);
        Assert.Equal("localhost:9443", request.Header("host"));
        Assert.Equal("aws-chunked", request.Header("Content-Encoding"));
        Assert.Equal("AES256", request.Header("x-amz-server-side-encryption-customer-algorithm"));
        Assert.Equal("3000", request.Header("X-Amz-Decoded-Content-Length"));

        // The HTTP chunking is undone; the aws-chunked stream inside is the application's business.
        string inner = Encoding.ASCII.GetString(request.Body);
        byte[] diary = Fixtures.DiaryBody();
        Assert.Equal(5 + diary.Length + 2 + 3 + 31 + 2, request.Body.Length);
        Assert.StartsWith("bb8\r\n", inner);
        Assert.Equal(diary, request.Body[5..(5 + diary.Length)]);
        Assert.EndsWith("\r\n0\r\nx-amz-checksum-crc32:ECU9AA==\r\n\r\n", inner);
        Assert.Empty(request.Trailers);
    }

    [Fact]
    public async Task HttpPutObjectBodyIsTheContentLengthBytes()
    {
        RecordedRequest request = await ParseOnce(Fixtures.Load("awscli-put-object-http.bin"), []);
        Assert.Equal(Fixtures.DiaryBody(), request.Body);
        Assert.Equal("ECU9AA==", request.Header("x-amz-checksum-crc32"));
    }

    [Fact]
    public async Task ListObjectsTargetIsKeptRaw()
    {
        RecordedRequest request = await ParseOnce(Fixtures.Load("awscli-list-objects-v2-https.bin"), []);
        Assert.Equal("/my-bucket", request.Path);
        Assert.Equal("list-type=2&prefix=a%2F&encoding-type=url", request.Query);
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrder()
    {
        byte[] all = Fixtures.Names.SelectMany(Fixtures.Load).ToArray();
        var app = new RecordingApplication();

        // Delivered at once, and again split into pieces that straddle request boundaries.
        foreach (int[] splits in new[] { Array.Empty<int>(), Enumerable.Range(1, all.Length / 997).Select(i => i * 997).ToArray() })
        {
            app.Requests.Clear();
            string raw = await InMemoryConnection.RunAsync(app, new SegmentedPipeReader(all, splits));
            // Both PUTs ask for 100-continue and get it when their bodies are read.
            Assert.Equal([100, 200, 100, 200, 200, 200, 200], RawResponses.StatusCodes(raw));
            Assert.Equal(
                ["/my-bucket/my-secret-diary", "/my-bucket/my-secret-diary", "/my-bucket/my-secret-diary", "/my-bucket?list-type=2&prefix=a%2F&encoding-type=url", "/my-bucket"],
                app.Requests.Select(r => r.Target));
        }
    }

    private static async Task<RecordedRequest> ParseOnce(byte[] bytes, int[] splits)
    {
        var app = new RecordingApplication();
        string raw = await InMemoryConnection.RunAsync(app, new SegmentedPipeReader(bytes, splits));
        Assert.True(RawResponses.StatusCodes(raw) is [200] or [100, 200], raw);
        return Assert.Single(app.Requests);
    }

    private static void AssertSame(RecordedRequest expected, RecordedRequest actual, string because)
    {
        Assert.True(expected.Method == actual.Method && expected.Target == actual.Target, because);
        Assert.True(expected.Headers.SequenceEqual(actual.Headers), because);
        Assert.True(expected.Body.AsSpan().SequenceEqual(actual.Body), because);
        Assert.True(expected.Trailers.SequenceEqual(actual.Trailers), because);
    }
}
