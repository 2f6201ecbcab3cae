using System.Text;
using FastS3.Api;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Storage;
using FastS3.Testing;

namespace FastS3.Tests;

public class PreconditionsTests
{
    private const string ETag = "\"9bb58f26192e4ba00f01e2e7b136bbd8\"";
    private static readonly DateTimeOffset LastModified = new(2026, 11, 27, 10, 0, 0, 500, TimeSpan.Zero);

    private sealed class EvaluatingApplication(Func<HttpRequestHeaders, string> evaluate) : IHttpApplication
    {
        public ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            byte[] answer = Encoding.ASCII.GetBytes(evaluate(request.Headers));
            response.ContentLength = answer.Length;
            response.Write(answer);
            return ValueTask.CompletedTask;
        }
    }

    private static async Task<string> Evaluate(string headers, Func<HttpRequestHeaders, string> evaluate)
    {
        string raw = await InMemoryConnection.RunAsync(new EvaluatingApplication(evaluate), $"GET /b/k HTTP/1.1\r\nHost: x\r\n{headers}\r\n");
        return raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }

    private static Task<string> Read(string headers)
        => Evaluate(headers, h => Preconditions.EvaluateRead(h, Encoding.ASCII.GetBytes(ETag), LastModified).ToString());

    [Theory]
    [InlineData("", "Proceed")]
    [InlineData("If-Match: " + ETag + "\r\n", "Proceed")]
    [InlineData("If-Match: 9bb58f26192e4ba00f01e2e7b136bbd8\r\n", "Proceed")]
    [InlineData("If-Match: \"other\", " + ETag + "\r\n", "Proceed")]
    [InlineData("If-Match: *\r\n", "Proceed")]
    [InlineData("If-Match: \"other\"\r\n", "Failed")]
    [InlineData("If-None-Match: " + ETag + "\r\n", "NotModified")]
    [InlineData("If-None-Match: W/" + ETag + "\r\n", "NotModified")]
    [InlineData("If-None-Match: *\r\n", "NotModified")]
    [InlineData("If-None-Match: \"other\"\r\n", "Proceed")]
    [InlineData("If-Modified-Since: Fri, 27 Nov 2026 10:00:00 GMT\r\n", "NotModified")]
    [InlineData("If-Modified-Since: Fri, 27 Nov 2026 09:59:59 GMT\r\n", "Proceed")]
    [InlineData("If-Modified-Since: not a date\r\n", "Proceed")]
    [InlineData("If-Unmodified-Since: Fri, 27 Nov 2026 10:00:00 GMT\r\n", "Proceed")]
    [InlineData("If-Unmodified-Since: Fri, 27 Nov 2026 09:59:59 GMT\r\n", "Failed")]
    // S3: If-Match true wins over a failing If-Unmodified-Since; If-None-Match decides over If-Modified-Since.
    [InlineData("If-Match: " + ETag + "\r\nIf-Unmodified-Since: Fri, 27 Nov 2026 09:00:00 GMT\r\n", "Proceed")]
    [InlineData("If-None-Match: " + ETag + "\r\nIf-Modified-Since: Fri, 27 Nov 2026 09:00:00 GMT\r\n", "NotModified")]
    [InlineData("If-None-Match: \"other\"\r\nIf-Modified-Since: Fri, 27 Nov 2026 11:00:00 GMT\r\n", "Proceed")]
    public async Task ReadConditions(string headers, string expected) => Assert.Equal(expected, await Read(headers));

    [Theory]
    [InlineData("If-None-Match: *\r\n", true, "Failed")]
    [InlineData("If-None-Match: *\r\n", false, "Proceed")]
    [InlineData("If-Match: " + ETag + "\r\n", true, "Proceed")]
    [InlineData("If-Match: \"other\"\r\n", true, "Failed")]
    [InlineData("If-Match: " + ETag + "\r\n", false, "Failed")]
    [InlineData("", true, "Proceed")]
    public async Task WriteConditions(string headers, bool exists, string expected)
        => Assert.Equal(expected, await Evaluate(headers, h => Preconditions.ForWrite(h) is { } check && !check(exists ? RecordWithETag() : default, exists) ? "Failed" : "Proceed"));

    private static byte[] RecordWithETag()
    {
        var record = new ObjectRecord.Builder(0, Guid.Empty, 0, 0, LastModified);
        try
        {
            record.Add(RecordField.ETag, Encoding.ASCII.GetBytes(ETag.Trim('"')));
            return record.Written.ToArray();
        }
        finally
        {
            record.Dispose();
        }
    }
}
