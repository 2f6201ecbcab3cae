using System.Text;
using FastS3.Auth;
using FastS3.Buffers;
using FastS3.Http;

namespace FastS3.Benchmarks;

/// <summary>
/// Signs benchmark requests once, in set-up, with the aws-cli fixtures' credentials and a fixed
/// date, through FastS3's own canonicalization (its verifier is checked against AWS's examples
/// and aws-cli captures by the tests; here only a valid signature is needed).
/// </summary>
internal static class BenchmarkSigning
{
    public const string AccessKey = "fasts3admin";
    public const string SecretKey = "fasts3admin-secret-change-me";
    public const string AmzDate = "20261127T110456Z";
    public const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>The moment the fixtures were captured: the clock every verifier here runs on.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 11, 5, 0, TimeSpan.Zero);

    public static AccessKeys Keys => new(AccessKey, SecretKey);

    /// <summary>
    /// The request with an Authorization header inserted after X-Amz-Content-SHA256 (where aws-cli
    /// puts it), signing Host and every x-amz-* header as botocore does.
    /// </summary>
    public static byte[] Sign(string method, string target, IReadOnlyList<string> headers, byte[]? body = null)
    {
        byte[] unsigned = Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n");
        HttpRequest request = NewRequest();
        request.Parse(unsigned, new HttpLimits());

        string[] names = [.. headers.Select(h => h[..h.IndexOf(':')].ToLowerInvariant())];
        string signedHeaders = string.Join(';', names.Where(n => n == "host" || n.StartsWith("x-amz-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        int payloadAt = Array.IndexOf(names, "x-amz-content-sha256");
        string payloadHash = headers[payloadAt][(headers[payloadAt].IndexOf(':') + 1)..].Trim();

        Span<byte> key = stackalloc byte[32];
        Span<byte> signature = stackalloc byte[64];
        SigningKeyCache.Derive(Encoding.ASCII.GetBytes(SecretKey), "20261127"u8, "us-east-1"u8, "s3"u8, key);
        var canonical = new ScratchBuffer(2048);
        try
        {
            if (!CanonicalRequest.TryBuild(request, Encoding.ASCII.GetBytes(signedHeaders), Encoding.ASCII.GetBytes(payloadHash), presigned: false, ref canonical))
            {
                throw new InvalidOperationException("cannot canonicalize the benchmark request");
            }

            SigV4Verifier.ComputeSignature(key, Encoding.ASCII.GetBytes(AmzDate), "20261127/us-east-1/s3/aws4_request"u8, canonical.Written, signature);
        }
        finally
        {
            canonical.Dispose();
        }

        string authorization = $"Authorization: AWS4-HMAC-SHA256 Credential={AccessKey}/20261127/us-east-1/s3/aws4_request, SignedHeaders={signedHeaders}, Signature={Encoding.ASCII.GetString(signature)}";
        List<string> signedLines = [.. headers];
        signedLines.Insert(payloadAt + 1, authorization);
        byte[] head = Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\n{string.Concat(signedLines.Select(h => h + "\r\n"))}\r\n");
        return body is null ? head : [.. head, .. body];
    }

    /// <summary>A parser-ready request on a connection that is never started.</summary>
    public static HttpRequest NewRequest() => new HttpConnection(new HttpServer(new HttpServerOptions(), NoApplication.Instance)).Request;
}

/// <summary>A clock stopped at one instant, so captured and precomputed signatures stay inside the skew window.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>A server log that stays quiet but remembers the last error, for set-up checks.</summary>
internal sealed class QuietLog : IServerLog
{
    public string? LastError { get; private set; }

    public void Info(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Error(string message, Exception? exception = null) => LastError = $"{message} {exception}";
}

internal sealed class NoApplication : IHttpApplication
{
    public static readonly NoApplication Instance = new();

    public ValueTask ProcessAsync(HttpRequest request, HttpResponse response) => ValueTask.CompletedTask;
}
