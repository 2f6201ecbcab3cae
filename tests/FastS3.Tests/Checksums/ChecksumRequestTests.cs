using System.Buffers;
using System.Text;
using FastS3.Api;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Http;
using FastS3.Testing;

namespace FastS3.Tests.Checksums;

/// <summary>Content-MD5 and x-amz-checksum-* header validation through the real transport, every error AWS answers.</summary>
public class ChecksumRequestTests
{
    private const string Crc32OfDiary = "ECU9AA==";

    /// <summary>Parses the checksum headers and answers "OK algorithm source expected-hex md5-hex" or "status code message".</summary>
    private sealed class ParsingApplication : IHttpApplication
    {
        private readonly ChecksumRequest _checksums = new();

        public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            S3Error? error = _checksums.Parse(request, trailers: !request.Headers.Contains("x-test-no-trailers"u8));
            await request.Body.ReadToEndAsync(new ArrayBufferWriter<byte>(), long.MaxValue);
            string answer = error is null
                ? $"OK {_checksums.Algorithm} {(_checksums.IsTrailer ? "trailer" : "header")} {Convert.ToHexString(_checksums.ExpectedChecksum)} {Convert.ToHexString(_checksums.ContentMd5)} {_checksums.ComputedAlgorithm}"
                : $"{error.Status} {error.Code} {error.Message}";
            byte[] body = Encoding.ASCII.GetBytes(answer);
            response.ContentLength = body.Length;
            response.Write(body);
        }
    }

    private static async Task<string> Parse(string headers)
    {
        string raw = await InMemoryConnection.RunAsync(new ParsingApplication(), $"PUT /b/k HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: 0\r\n\r\n");
        return raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }

    [Fact]
    public async Task NoChecksumMeansTheCrc64NvmeDefault()
        => Assert.Equal("OK None header   Crc64Nvme", await Parse(""));

    [Theory]
    [InlineData("x-amz-checksum-crc32: ECU9AA==\r\n", "OK Crc32 header 10253D00  Crc32")]
    [InlineData("X-Amz-Checksum-CRC32C: 4waSgw==\r\n", "OK Crc32C header E3069283  Crc32C")]
    [InlineData("x-amz-checksum-crc64nvme: rosUhgp5mIg=\r\n", "OK Crc64Nvme header AE8B14860A799888  Crc64Nvme")]
    [InlineData("x-amz-checksum-sha1: 98O8HYCOBHMq32eZZczDTKeuNEE=\r\n", "OK Sha1 header F7C3BC1D808E04732ADF679965CCC34CA7AE3441  Sha1")]
    [InlineData("x-amz-checksum-sha256: FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=\r\n", "OK Sha256 header 15E2B0D3C33891EBB0F1EF609EC419420C20E320CE94C65FBC8C3312448EB225  Sha256")]
    [InlineData("x-amz-sdk-checksum-algorithm: CRC32\r\nx-amz-checksum-crc32: ECU9AA==\r\n", "OK Crc32 header 10253D00  Crc32")]
    [InlineData("x-amz-sdk-checksum-algorithm: crc32\r\nx-amz-checksum-crc32: ECU9AA==\r\n", "OK Crc32 header 10253D00  Crc32")]
    [InlineData("x-amz-trailer: x-amz-checksum-crc32\r\nx-amz-sdk-checksum-algorithm: CRC32\r\n", "OK Crc32 trailer   Crc32")]
    [InlineData("X-Amz-Trailer: x-amz-checksum-sha256, \r\n", "OK Sha256 trailer   Sha256")]
    [InlineData("Content-MD5: 7PpPLAK26ONlVUGOWlusfg==\r\n", "OK None header  ECFA4F2C02B6E8E36555418E5A5BAC7E Crc64Nvme")]
    [InlineData("Content-MD5: 7PpPLAK26ONlVUGOWlusfg==\r\nx-amz-checksum-crc32: ECU9AA==\r\n", "OK Crc32 header 10253D00 ECFA4F2C02B6E8E36555418E5A5BAC7E Crc32")]
    [InlineData("x-amz-checksum-mode: ENABLED\r\nx-amz-checksum-algorithm: CRC32\r\nx-amz-checksum-type: FULL_OBJECT\r\n", "OK None header   Crc64Nvme")]
    public async Task ValidDeclarations(string headers, string expected)
        => Assert.Equal(expected, await Parse(headers));

    [Theory]
    // Two checksum values, of different algorithms or the same one twice.
    [InlineData("x-amz-checksum-crc32: ECU9AA==\r\nx-amz-checksum-sha1: 98O8HYCOBHMq32eZZczDTKeuNEE=\r\n", "400 InvalidRequest Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")]
    [InlineData("x-amz-checksum-crc32: ECU9AA==\r\nx-amz-checksum-crc32: ECU9AA==\r\n", "400 InvalidRequest Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")]
    [InlineData("x-amz-trailer: x-amz-checksum-crc32,x-amz-checksum-sha1\r\n", "400 InvalidRequest Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")]
    [InlineData("x-amz-checksum-crc32: ECU9AA==\r\nx-amz-trailer: x-amz-checksum-crc32\r\n", "400 InvalidRequest Expecting a single x-amz-checksum- header")]
    // A trailer promised by a body that cannot carry one (x-test-no-trailers: not an aws-chunked -TRAILER mode).
    [InlineData("x-amz-trailer: x-amz-checksum-crc32\r\nx-test-no-trailers: 1\r\n", "400 InvalidRequest x-amz-trailer needs an aws-chunked body with trailers: x-amz-content-sha256 must be STREAMING-UNSIGNED-PAYLOAD-TRAILER or STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER.")]

    // Values that are not base64 of a digest of the algorithm's size.
    [InlineData("x-amz-checksum-crc32: ECU9AA\r\n", "400 InvalidRequest Value for x-amz-checksum-crc32 header is invalid.")]
    [InlineData("x-amz-checksum-crc32: ECU9AAAA\r\n", "400 InvalidRequest Value for x-amz-checksum-crc32 header is invalid.")]
    [InlineData("x-amz-checksum-crc32: EC*9AA==\r\n", "400 InvalidRequest Value for x-amz-checksum-crc32 header is invalid.")]
    [InlineData("x-amz-checksum-crc32:\r\n", "400 InvalidRequest Value for x-amz-checksum-crc32 header is invalid.")]
    // Non-canonical base64 (unused bits set; "ECU9AA==" is the canonical form of these bytes): no encoder
    // produces it, and .NET's strict decoder refuses it rather than letting two texts mean one digest.
    [InlineData("x-amz-checksum-crc32: ECU9AB==\r\n", "400 InvalidRequest Value for x-amz-checksum-crc32 header is invalid.")]
    [InlineData("x-amz-checksum-crc32c: rosUhgp5mIg=\r\n", "400 InvalidRequest Value for x-amz-checksum-crc32c header is invalid.")]
    [InlineData("x-amz-checksum-crc64nvme: ECU9AA==\r\n", "400 InvalidRequest Value for x-amz-checksum-crc64nvme header is invalid.")]
    [InlineData("x-amz-checksum-sha1: FeKw08M4keuw8e9gnsQZQgwg4yDOlMZfvIwzEkSOsiU=\r\n", "400 InvalidRequest Value for x-amz-checksum-sha1 header is invalid.")]
    [InlineData("x-amz-checksum-sha256: 98O8HYCOBHMq32eZZczDTKeuNEE=\r\n", "400 InvalidRequest Value for x-amz-checksum-sha256 header is invalid.")]

    // Algorithms and trailers FastS3 does not know.
    [InlineData("x-amz-checksum-sha512: ECU9AA==\r\n", "400 InvalidRequest The algorithm type you specified in x-amz-checksum- header is invalid.")]
    [InlineData("x-amz-checksum-xxhash64: ECU9AA==\r\n", "400 InvalidRequest The algorithm type you specified in x-amz-checksum- header is invalid.")]
    [InlineData("x-amz-trailer: x-amz-checksum-md5\r\n", "400 InvalidRequest The value specified in the x-amz-trailer header is not supported")]
    [InlineData("x-amz-trailer: x-amz-meta-colour\r\n", "400 InvalidRequest The value specified in the x-amz-trailer header is not supported")]

    // x-amz-sdk-checksum-algorithm naming something else, or nothing at all.
    [InlineData("x-amz-sdk-checksum-algorithm: SHA256\r\nx-amz-checksum-crc32: ECU9AA==\r\n", "400 InvalidRequest Value for x-amz-sdk-checksum-algorithm header is invalid.")]
    [InlineData("x-amz-sdk-checksum-algorithm: CRC32\r\nx-amz-trailer: x-amz-checksum-crc32c\r\n", "400 InvalidRequest Value for x-amz-sdk-checksum-algorithm header is invalid.")]
    [InlineData("x-amz-sdk-checksum-algorithm: MD5\r\nx-amz-checksum-crc32: ECU9AA==\r\n", "400 InvalidRequest Value for x-amz-sdk-checksum-algorithm header is invalid.")]
    [InlineData("x-amz-sdk-checksum-algorithm: CRC32\r\n", "400 InvalidRequest x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")]

    // Content-MD5 that is not base64 of 16 bytes.
    [InlineData("Content-MD5: 7PpPLAK26ONlVUGOWlusfg\r\n", "400 InvalidDigest The Content-MD5 you specified was invalid.")]
    [InlineData("Content-MD5: 7PpPLAK26ONlVUGOWlusfgAA\r\n", "400 InvalidDigest The Content-MD5 you specified was invalid.")]
    [InlineData("Content-MD5: ECU9AA==\r\n", "400 InvalidDigest The Content-MD5 you specified was invalid.")]
    [InlineData("Content-MD5: 7PpPLAK26ONlVUGOWlus?g==\r\n", "400 InvalidDigest The Content-MD5 you specified was invalid.")]
    [InlineData("Content-MD5: 7ecfa4f2c02b6e8e3655541965a5bac7\r\n", "400 InvalidDigest The Content-MD5 you specified was invalid.")]
    [InlineData("Content-MD5:\r\n", "400 InvalidDigest The Content-MD5 you specified was invalid.")]
    public async Task InvalidDeclarations(string headers, string expected)
        => Assert.Equal(expected, await Parse(headers));

    [Fact]
    public async Task OneParserServesManyRequestsOnAConnection()
    {
        // Two pipelined requests through one ParsingApplication: nothing of the first survives into the second.
        string requests =
            "PUT /b/k HTTP/1.1\r\nHost: x\r\nx-amz-checksum-crc32: ECU9AA==\r\nContent-MD5: 7PpPLAK26ONlVUGOWlusfg==\r\nContent-Length: 0\r\n\r\n" +
            "PUT /b/k HTTP/1.1\r\nHost: x\r\nx-amz-trailer: x-amz-checksum-sha1\r\nContent-Length: 0\r\n\r\n";
        string raw = await InMemoryConnection.RunAsync(new ParsingApplication(), requests);
        Assert.Contains("OK Crc32 header 10253D00 ECFA4F2C02B6E8E36555418E5A5BAC7E Crc32", raw, StringComparison.Ordinal);
        Assert.Contains("OK Sha1 trailer   Sha1", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void TrailerOnlyWhenDeclared()
        => Assert.Throws<InvalidOperationException>(() => new ChecksumRequest().SetTrailerChecksum(true, "ECU9AA=="u8));
}
