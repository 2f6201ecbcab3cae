using System.Text;
using System.Text.RegularExpressions;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Http;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>Inputs the fuzz harness (tests/fuzz) found mishandled, replayed through the same APIs.</summary>
public class FuzzFindingTests
{
    [Fact]
    public void AnUnknownChecksumElementKeepsThePartChecksumAlgorithm()
    {
        // ChecksumType parsed as an algorithm name failed and reset the algorithm of the CRC32 read
        // before it, leaving a checksum without an algorithm: Complete then refused the part as InvalidPart.
        byte[] body = Encoding.UTF8.GetBytes(
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32>"
            + "<ChecksumType>COMPOSITE</ChecksumType></Part></CompleteMultipartUpload>");

        Assert.True(CompleteMultipartUpload.TryParse(body, out var parts));
        CompleteMultipartUpload.RequestedPart part = Assert.Single(parts);
        Assert.Equal(ChecksumAlgorithm.Crc32, part.Algorithm);
        Assert.Equal(new byte[4], part.Checksum);
    }

    [Theory]
    [InlineData("20261127T1556=ho32Z")]   // longer than a date: copying it overran the 16-byte buffer
    [InlineData("00001127T110500Z")]      // year 0: DaysInMonth threw
    public async Task MalformedAmzDateIsAccessDeniedNotAServerError(string date)
    {
        string request = Regex.Replace(Encoding.Latin1.GetString(Fixtures.Load("awscli-list-objects-v2-https.bin")), "X-Amz-Date: [^\r]*", "X-Amz-Date: " + date);
        Assert.Equal("403 AccessDenied", await VerifyAsync(request));
    }

    [Fact]
    public async Task PresignedDateInYearZeroIsAQueryParameterError()
    {
        string request = "GET /b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=fasts3admin%2F00001127%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=00001127T110500Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00 HTTP/1.1\r\nHost: h\r\n\r\n";
        Assert.Equal("400 AuthorizationQueryParametersError", await VerifyAsync(request));
    }

    /// <summary>"status code" of what <see cref="SigV4Verifier.Verify"/> answers; an exception escaping it would be a 500.</summary>
    private static async Task<string> VerifyAsync(string request)
    {
        var app = new VerifyingApplication(new SigV4Verifier(new AccessKeys("fasts3admin", "fasts3admin-secret-change-me"), new FixedClock(new DateTimeOffset(2026, 11, 27, 11, 5, 0, TimeSpan.Zero))));
        string raw = await InMemoryConnection.RunAsync(app, request);
        return raw[(raw.IndexOf(' ') + 1)..raw.IndexOf(' ', raw.IndexOf(' ') + 1)] + " " + app.Code;
    }

    private sealed class VerifyingApplication(SigV4Verifier verifier) : IHttpApplication
    {
        private readonly SignatureContext _context = new();

        public string? Code { get; private set; }

        public ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            S3Error? error = verifier.Verify(request, _context);
            Code = error?.Code ?? "OK";
            response.StatusCode = error?.Status ?? 200;
            response.ContentLength = 0;
            return ValueTask.CompletedTask;
        }
    }
}
