using System.Security.Cryptography;
using System.Text;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Http;
using FastS3.Testing;

namespace FastS3.Tests.Checksums;

/// <summary>
/// The PutObject body path without storage, over the real transport: declared checksums parsed,
/// the body (plain or aws-chunked) hashed once as it streams, the trailer taken, everything
/// verified. Inputs are the aws-cli captures and tampered copies of them.
/// </summary>
public class UploadVerificationTests
{
    /// <summary>Answers "OK checksum-base64 md5-hex length" or the S3 error code and message.</summary>
    private sealed class UploadApplication : IHttpApplication
    {
        private readonly ChecksumRequest _checksums = new();
        private readonly BodyHasher _hasher = new();
        private readonly AwsChunkedReader _chunked = new();
        private readonly SignatureContext _signature = new();

        public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            string answer;
            try
            {
                long decodedLength = ReadPayloadMode(request);
                if (_checksums.Parse(request, trailers: _signature.Payload == PayloadMode.StreamingUnsignedTrailer) is { } declarationError)
                {
                    throw new S3Exception(declarationError);
                }

                _hasher.Begin(_checksums, md5: true, sha256: _signature.Payload == PayloadMode.Sha256);
                if (_signature.IsStreaming)
                {
                    _chunked.Start(request.Body, _signature, decodedLength, _checksums.TrailerName);
                    for (var piece = await _chunked.ReadAsync(); !piece.IsEmpty; piece = await _chunked.ReadAsync())
                    {
                        _hasher.Append(piece);
                    }

                    if (_checksums.IsTrailer && TakeTrailer() is { } trailerError)
                    {
                        throw new S3Exception(trailerError);
                    }
                }
                else
                {
                    for (var piece = await request.Body.ReadAsync(); !piece.IsEmpty; piece = await request.Body.ReadAsync())
                    {
                        _hasher.Append(piece);
                    }
                }

                _hasher.Finish();
                if (_hasher.Verify(_checksums, _signature.SignedPayloadSha256) is { } verifyError)
                {
                    throw new S3Exception(verifyError);
                }

                answer = $"OK {ChecksumBase64()} {Convert.ToHexStringLower(_hasher.Md5)} {_hasher.Length}";
            }
            catch (S3Exception ex)
            {
                answer = $"{ex.Error.Code}: {ex.Error.Message}";
            }

            byte[] body = Encoding.ASCII.GetBytes(answer);
            response.ContentLength = body.Length;
            response.Write(body);
        }

        private S3Error? TakeTrailer()
            => _checksums.SetTrailerChecksum(_chunked.TryGetTrailer(_checksums.TrailerName, out ReadOnlySpan<byte> value), value);

        private string ChecksumBase64()
        {
            Span<byte> base64 = stackalloc byte[DigestBase64.MaxLength];
            return _hasher.Algorithm + ":" + Encoding.ASCII.GetString(base64[.._hasher.WriteChecksumBase64(base64)]);
        }

        // The SigV4 verifier's job in the server; here only the payload mode is needed.
        private long ReadPayloadMode(HttpRequest request)
        {
            request.Headers.TryGetValue("x-amz-content-sha256"u8, out ReadOnlySpan<byte> mode);
            _signature.Payload = mode.SequenceEqual("STREAMING-UNSIGNED-PAYLOAD-TRAILER"u8) ? PayloadMode.StreamingUnsignedTrailer
                : mode.Length == 64 ? PayloadMode.Sha256
                : PayloadMode.Unsigned;
            if (_signature.Payload == PayloadMode.Sha256)
            {
                Convert.FromHexString(Encoding.ASCII.GetString(mode)).CopyTo(_signature.PayloadSha256, 0);
            }

            return request.Headers.TryGetValue("x-amz-decoded-content-length"u8, out ReadOnlySpan<byte> decoded) ? long.Parse(decoded) : -1;
        }
    }

    private static async Task<string> Upload(byte[] request, params int[] splits)
    {
        string raw = await InMemoryConnection.RunAsync(new UploadApplication(), new SegmentedPipeReader(request, splits));
        return raw[(raw.LastIndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }

    private static Task<string> Upload(string fixture, Func<string, string> edit, params int[] splits)
        => Upload(Encoding.Latin1.GetBytes(edit(Encoding.Latin1.GetString(Fixtures.Load(fixture)))), splits);

    private static string DiaryOk(string checksum) => $"OK {checksum} {Convert.ToHexStringLower(MD5.HashData(Fixtures.DiaryBody()))} 3000";

    [Fact]
    public async Task AwsCliPutOverHttpsVerifiesItsCrc32Trailer()
    {
        byte[] request = Fixtures.Load("awscli-put-object-https.bin");
        string expected = DiaryOk("Crc32:ECU9AA==");
        Assert.Equal(expected, await Upload(request));

        // Receive boundaries anywhere: inside the data, the chunk framing and the trailer.
        var random = new Random(7);
        for (int round = 0; round < 10; round++)
        {
            Assert.Equal(expected, await Upload(request, SequenceBuilder.RandomCuts(random, request.Length, 25)));
        }
    }

    [Fact]
    public async Task AwsCliPutOverHttpVerifiesPayloadHashAndCrc32Header()
    {
        byte[] request = Fixtures.Load("awscli-put-object-http.bin");
        string expected = DiaryOk("Crc32:ECU9AA==");
        Assert.Equal(expected, await Upload(request));
        Assert.Equal(expected, await Upload(request, SequenceBuilder.RandomCuts(new Random(8), request.Length, 30)));
    }

    [Fact]
    public async Task TamperedTrailers()
    {
        const string fixture = "awscli-put-object-https.bin";
        Assert.Equal("BadDigest: The CRC32 you specified did not match the calculated checksum.",
            await Upload(fixture, t => t.Replace("x-amz-checksum-crc32:ECU9AA==", "x-amz-checksum-crc32:ECU9AQ==")));
        Assert.Equal("BadDigest: The CRC32 you specified did not match the calculated checksum.",
            await Upload(fixture, t => t.Replace("line 0077 of", "line 0078 of")));
        Assert.Equal("InvalidRequest: Value for x-amz-checksum-crc32 trailing header is invalid.",
            await Upload(fixture, t => t.Replace("x-amz-checksum-crc32:ECU9AA==", "x-amz-checksum-crc32:ECU9A===")));

        // The declared trailer never arrives (another name in its place).
        Assert.Equal("MalformedTrailerError: The request contained trailing data that was not well-formed or did not conform to our published schema.",
            await Upload(fixture, t => t.Replace("x-amz-checksum-crc32:ECU9AA==", "x-amz-checksum-crc3z:ECU9AA==")));

        // Declared as CRC32C instead: a valid value of the wrong algorithm fails the comparison.
        Assert.Equal("BadDigest: The CRC32C you specified did not match the calculated checksum.",
            await Upload(fixture, t => t.Replace("X-Amz-Trailer: x-amz-checksum-crc32", "X-Amz-Trailer: x-amz-checksum-crc32c")
                .Replace("x-amz-sdk-checksum-algorithm: CRC32", "x-amz-sdk-checksum-algorithm: CRC32C")
                .Replace("x-amz-checksum-crc32:ECU9AA==", "x-amz-checksum-crc32c:ECU9AA==")
                .Replace("\r\n\r\nbe3\r\n", "\r\n\r\nbe4\r\n")));
    }

    [Fact]
    public async Task TamperedHttpUploads()
    {
        const string fixture = "awscli-put-object-http.bin";

        // The body changed: the signed payload hash is checked first.
        Assert.Equal("XAmzContentSHA256Mismatch: The provided 'x-amz-content-sha256' header does not match what was computed.",
            await Upload(fixture, t => t.Replace("line 0077 of", "line 0078 of")));

        // Unsigned body: the checksum header catches it.
        Assert.Equal("BadDigest: The CRC32 you specified did not match the calculated checksum.",
            await Upload(fixture, t => Unsigned(t).Replace("line 0077 of", "line 0078 of")));
        Assert.Equal("BadDigest: The CRC32 you specified did not match the calculated checksum.",
            await Upload(fixture, t => t.Replace("x-amz-checksum-crc32: ECU9AA==", "x-amz-checksum-crc32: ECU9AQ==")));

        // Content-MD5 is checked before the checksum.
        string md5 = Convert.ToBase64String(MD5.HashData(Fixtures.DiaryBody()));
        Assert.Equal(DiaryOk("Crc32:ECU9AA=="), await Upload(fixture, t => WithHeader(t, "Content-MD5: " + md5)));
        Assert.Equal("BadDigest: The Content-MD5 you specified did not match what we received.",
            await Upload(fixture, t => WithHeader(Unsigned(t), "Content-MD5: 7PpPLAK26ONlVUGOWlusfg==").Replace("line 0077 of", "line 0078 of")));
    }

    [Fact]
    public async Task UndeclaredUploadsGetTheCrc64NvmeDefault()
    {
        byte[] body = Fixtures.DiaryBody();
        string expected = Convert.ToBase64String(BodyHasherTests.Reference(ChecksumAlgorithm.Crc64Nvme, body));
        Assert.Equal(DiaryOk("Crc64Nvme:" + expected), await Upload("awscli-put-object-http.bin",
            t => Unsigned(t).Replace("x-amz-checksum-crc32: ECU9AA==\r\n", "").Replace("x-amz-sdk-checksum-algorithm: CRC32\r\n", "")));
    }

    private static string Unsigned(string request)
        => request.Replace("15b6613d75b4335f1c5a11cf1cadb0ca00e3f59d67e0c5ab34758e0d7d68f5d2", "UNSIGNED-PAYLOAD");

    private static string WithHeader(string request, string header)
        => request.Replace("Content-Length: 3000\r\n", header + "\r\nContent-Length: 3000\r\n");
}
