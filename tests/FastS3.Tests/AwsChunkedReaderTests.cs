using System.Security.Cryptography;
using System.Text;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>aws-chunked decoding through the real transport, split at every byte, signed and unsigned.</summary>
public class AwsChunkedReaderTests
{
    private static readonly DateTimeOffset CaptureTime = new(2026, 11, 27, 11, 5, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ExampleTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Verifies the signature, decodes the body, and answers "length sha256 trailer-crc32" or the S3 error code.</summary>
    private sealed class DecodingApplication(SigV4Verifier verifier) : IHttpApplication
    {
        private readonly SignatureContext _signature = new();
        private readonly AwsChunkedReader _reader = new();

        public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            string answer;
            try
            {
                if (verifier.Verify(request, _signature) is { } error)
                {
                    throw new S3Exception(error);
                }

                request.Headers.TryGetValue("x-amz-decoded-content-length"u8, out ReadOnlySpan<byte> declared);
                request.Headers.TryGetValue("x-amz-trailer"u8, out ReadOnlySpan<byte> trailer);
                _reader.Start(request.Body, _signature, declared.IsEmpty ? -1 : long.Parse(declared), trailer);
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                while (true)
                {
                    var piece = await _reader.ReadAsync();
                    if (piece.IsEmpty)
                    {
                        break;
                    }

                    foreach (ReadOnlyMemory<byte> segment in piece)
                    {
                        sha.AppendData(segment.Span);
                    }
                }

                _reader.TryGetTrailer("x-amz-checksum-crc32"u8, out ReadOnlySpan<byte> crc);
                answer = $"{_reader.DecodedLength} {Convert.ToHexStringLower(sha.GetHashAndReset())} {Encoding.ASCII.GetString(crc)}";
            }
            catch (S3Exception ex)
            {
                answer = ex.Error.Code;
            }

            response.ContentLength = answer.Length;
            response.Write(Encoding.ASCII.GetBytes(answer));
        }
    }

    private static async Task<string> Decode(byte[] request, DateTimeOffset now, string accessKey = "fasts3admin", string secret = "fasts3admin-secret-change-me", int[]? splits = null)
    {
        var app = new DecodingApplication(new SigV4Verifier(new AccessKeys(accessKey, secret), new FixedClock(now)));
        string raw = await InMemoryConnection.RunAsync(app, new SegmentedPipeReader(request, splits ?? []));
        return raw[(raw.LastIndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
    }

    private static string DiaryAnswer()
    {
        byte[] diary = Fixtures.DiaryBody();
        return $"{diary.Length} {Convert.ToHexStringLower(SHA256.HashData(diary))} ECU9AA==";
    }

    [Fact]
    public async Task AwsCliUploadDecodesAtEveryByteSplit()
    {
        byte[] request = Fixtures.Load("awscli-put-object-https.bin");
        string expected = DiaryAnswer();
        Assert.Equal(expected, await Decode(request, CaptureTime));
        int headLength = Encoding.Latin1.GetString(request).IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        for (int split = headLength; split < request.Length; split++)
        {
            Assert.Equal(expected, await Decode(request, CaptureTime, splits: [split]));
        }

        Assert.Equal(expected, await Decode(request, CaptureTime, splits: Enumerable.Range(headLength, request.Length - headLength).ToArray()));
    }

    // AWS's published STREAMING-AWS4-HMAC-SHA256-PAYLOAD example: 66560 bytes of 'a' in a 64 KiB and a 1 KiB chunk.
    private static byte[] AwsStreamingExample(Func<string, string>? tamper = null)
    {
        string chunk1 = "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" + new string('a', 65536) + "\r\n";
        string chunk2 = "400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" + new string('a', 1024) + "\r\n";
        string last = "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
        string body = (tamper ?? (b => b))(chunk1 + chunk2 + last);
        string head =
            "PUT /examplebucket/chunkObject.txt HTTP/1.1\r\n" +
            "Host: s3.amazonaws.com\r\n" +
            "x-amz-date: 20130524T000000Z\r\n" +
            "x-amz-storage-class: REDUCED_REDUNDANCY\r\n" +
            "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9\r\n" +
            "x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD\r\n" +
            "Content-Encoding: aws-chunked\r\n" +
            "x-amz-decoded-content-length: 66560\r\n" +
            "Content-Length: 66824\r\n\r\n";
        return Encoding.ASCII.GetBytes(head + body);
    }

    private static Task<string> DecodeExample(byte[] request, int[]? splits = null)
        => Decode(request, ExampleTime, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", splits);

    [Fact]
    public async Task AwsSignedChunksVerify()
    {
        string expected = $"66560 {Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(new string('a', 66560))))} ";
        Assert.Equal(expected, await DecodeExample(AwsStreamingExample()));
        Assert.Equal(expected, await DecodeExample(AwsStreamingExample(), splits: [500, 4000, 65700, 66500, 66700]));
    }

    [Theory]
    [InlineData("aaaaa\r\n400;", "aaaab\r\n400;")]                                   // a data byte changed
    [InlineData("ad80c730a2", "ad80c730a3")]                                         // a chunk signature changed
    [InlineData("b6c6ea8a5354", "b6c6ea8a5355")]                                     // the final signature changed
    public async Task TamperedSignedChunksAreRejected(string find, string replace)
        => Assert.Equal("SignatureDoesNotMatch", await DecodeExample(AwsStreamingExample(b => ReplaceOnce(b, find, replace))));

    [Fact]
    public async Task AStreamAbandonedMidChunkDoesNotSpoilTheNextOnTheConnection()
    {
        // Found by fuzzing (tests/fuzz, aws-chunked): the reader is reused per connection and its chunk
        // hash kept the abandoned chunk's bytes, so the next signed upload failed its first signature.
        byte[] broken = AwsStreamingExample(b => ReplaceOnce(b, "aaaa\r\n0;chunk", "aaaaXX0;chunk"));
        var app = new DecodingApplication(new SigV4Verifier(new AccessKeys("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), new FixedClock(ExampleTime)));

        string raw = await InMemoryConnection.RunAsync(app, [.. broken, .. AwsStreamingExample()]);

        Assert.Equal([200, 200], RawResponses.StatusCodes(raw));
        Assert.Contains("\r\n\r\nInvalidRequestHTTP/1.1 200", raw);
        Assert.EndsWith($"66560 {Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(new string('a', 66560))))} ", raw);
    }

    [Fact]
    public async Task MissingFinalChunkIsIncomplete()
    {
        // The connection ends where the final chunk should start: the HTTP body is short too.
        byte[] request = AwsStreamingExample(b => b[..b.IndexOf("0;chunk-signature=b6c6", StringComparison.Ordinal)]);
        Assert.Equal("IncompleteBody", await DecodeExample(request));
    }

    [Fact]
    public async Task ChunkWithoutSignatureInASignedStreamIsRejected()
        => Assert.Equal("InvalidRequest", await DecodeExample(AwsStreamingExample(b => b.Replace("400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497", "400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef549"))));

    // Unsigned streams: the aws-cli capture with its inner framing edited (the HTTP chunk size adjusted to match).
    private static byte[] EditedAwsCliUpload(Func<string, string> edit)
    {
        string text = Encoding.Latin1.GetString(Fixtures.Load("awscli-put-object-https.bin"));
        int bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        string inner = text[(bodyStart + 5)..^7];
        string edited = edit(inner);
        return Encoding.Latin1.GetBytes(text[..bodyStart] + $"{edited.Length:x}\r\n{edited}\r\n0\r\n\r\n");
    }

    [Theory]
    [InlineData("bb8\r\n", "bb7\r\n", "InvalidRequest")]                            // declares a byte fewer than it carries
    [InlineData("bb8\r\n", "bb9\r\n", "EntityTooLarge")]                            // declares a byte more than it carries, and than the decoded length
    [InlineData("bb8\r\n", "xb8\r\n", "InvalidRequest")]                            // not hex
    [InlineData("bb8\r\n", "bb8\n", "InvalidRequest")]                              // bare LF
    [InlineData("\r\n0\r\n", "XX0\r\n", "InvalidRequest")]                         // data not followed by CRLF
    [InlineData("ECU9AA==\r\n\r\n", "ECU9AA==\r\n\r\nextra", "InvalidRequest")]     // bytes after the trailers
    [InlineData("x-amz-checksum-crc32:", "no colon here", "MalformedTrailerError")]
    [InlineData("x-amz-checksum-crc32:", "x-amz-checksum-crc32c:", "MalformedTrailerError")]     // not the declared trailer
    public async Task MalformedUnsignedStreamsAreRejected(string find, string replace, string code)
        => Assert.Equal(code, await Decode(EditedAwsCliUpload(b => ReplaceOnce(b, find, replace)), CaptureTime));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChunkLineOverTheLimitIsRejectedInOneReceiveBufferOrAcrossTwo(bool split)
    {
        byte[] request = EditedAwsCliUpload(b => ReplaceOnce(b, "bb8\r\n", $"bb8;{new string('x', AwsChunkedReader.MaxLineLength)}\r\n"));
        int line = Encoding.Latin1.GetString(request).IndexOf("bb8;", StringComparison.Ordinal);
        Assert.Equal("InvalidRequest", await Decode(request, CaptureTime, splits: split ? [line + 100] : null));
    }

    [Theory]
    [InlineData(2999, "EntityTooLarge")]   // the 3000-byte chunk is refused as it is announced
    [InlineData(3001, "IncompleteBody")]
    public async Task DecodedLengthMustMatchTheDeclaredOne(long declared, string code)
    {
        // The capture's data is 3000 bytes. Its X-Amz-Decoded-Content-Length header is signed, so the
        // other length is given to the reader directly, with SigV4 skipped.
        var app = new UnsignedDecodingCheck(declared);
        string raw = await InMemoryConnection.RunAsync(app, Fixtures.Load("awscli-put-object-https.bin"));
        Assert.EndsWith(code, raw);
    }

    /// <summary>Skips SigV4 (as for STREAMING-UNSIGNED-PAYLOAD-TRAILER nothing in the body is signed) to test length checks alone.</summary>
    private sealed class UnsignedDecodingCheck(long declared) : IHttpApplication
    {
        private readonly AwsChunkedReader _reader = new();

        public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            var context = new SignatureContext { Payload = PayloadMode.StreamingUnsignedTrailer };
            string answer = "OK";
            try
            {
                _reader.Start(request.Body, context, declared, "x-amz-checksum-crc32"u8);
                while (!(await _reader.ReadAsync()).IsEmpty)
                {
                }
            }
            catch (S3Exception ex)
            {
                answer = ex.Error.Code;
            }

            response.ContentLength = answer.Length;
            response.Write(Encoding.ASCII.GetBytes(answer));
        }
    }

    private static string ReplaceOnce(string text, string find, string replace)
    {
        int at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{find}' not found");
        return text[..at] + replace + text[(at + find.Length)..];
    }
}
