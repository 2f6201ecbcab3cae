using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using FastS3.Api;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// aws-chunked round trips: random data cut into random chunk sizes, encoded unsigned with a
/// trailer or signed chunk by chunk, delivered in random pieces, decodes to the same bytes.
/// </summary>
public class AwsChunkedPropertyTests
{
    private static readonly byte[] SigningKey = SHA256.HashData("property-test-key"u8);
    private static readonly byte[] AmzDate = "20261127T120000Z"u8.ToArray();
    private static readonly byte[] Scope = "20261127/us-east-1/s3/aws4_request"u8.ToArray();
    private static readonly byte[] Seed = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData("seed"u8)));

    [Fact]
    public async Task EncodedStreamsDecodeToTheirData()
    {
        var streams = Gen.Select(Gen.Byte.Array[0, 5000], Gen.Int[1, 1500].Array[1, 6], Gen.Bool, Gen.Int[0, 10], Gen.Int);
        await streams.SampleAsync(async (data, sizes, signed, pieces, seed) =>
        {
            byte[] body = Encode(data, sizes, signed);
            string head = "PUT /b/k HTTP/1.1\r\nHost: h\r\n" + $"Content-Length: {body.Length}\r\n\r\n";
            byte[] request = [.. Encoding.ASCII.GetBytes(head), .. body];
            var random = new Random(seed);
            int[] splits = [.. Enumerable.Range(0, pieces).Select(_ => random.Next(1, request.Length))];

            var app = new DecodingApplication(signed ? PayloadMode.StreamingSigned : PayloadMode.StreamingUnsignedTrailer, data.Length);
            await InMemoryConnection.RunAsync(app, new SegmentedPipeReader(request, splits));

            Assert.Null(app.Error);
            Assert.Equal(data, app.Decoded);
            if (!signed)
            {
                Assert.Equal(Convert.ToBase64String(SHA256.HashData(data)), app.Trailer);
            }
        }, iter: 200);
    }

    /// <summary>hex[;chunk-signature=...] CRLF data CRLF ... 0 CRLF [trailer CRLF] CRLF.</summary>
    private static byte[] Encode(byte[] data, int[] sizes, bool signed)
    {
        var body = new MemoryStream();
        byte[] previous = Seed;
        int at = 0;
        for (int i = 0; ; i++)
        {
            int size = Math.Min(sizes[i % sizes.Length], data.Length - at);
            byte[] chunk = data[at..(at + size)];
            body.Write(Encoding.ASCII.GetBytes($"{size:x}"));
            if (signed)
            {
                byte[] next = new byte[64];
                StringToSign.Sign(SigningKey, "AWS4-HMAC-SHA256-PAYLOAD"u8, AmzDate, Scope, previous, HexSha256([]), HexSha256(chunk), next);
                body.Write(Encoding.ASCII.GetBytes($";chunk-signature={Encoding.ASCII.GetString(next)}"));
                previous = next;
            }

            body.Write("\r\n"u8);
            body.Write(chunk);
            at += size;
            if (size == 0)
            {
                break;
            }

            body.Write("\r\n"u8);
        }

        if (!signed)
        {
            body.Write(Encoding.ASCII.GetBytes($"x-amz-checksum-sha256:{Convert.ToBase64String(SHA256.HashData(data))}\r\n"));
        }

        body.Write("\r\n"u8);
        return body.ToArray();
    }

    private static byte[] HexSha256(byte[] data) => Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(data)));

    private sealed class DecodingApplication(PayloadMode payload, long declaredLength) : IHttpApplication
    {
        private readonly AwsChunkedReader _reader = new();

        public byte[] Decoded { get; private set; } = [];

        public string? Trailer { get; private set; }

        public string? Error { get; private set; }

        public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            var context = new SignatureContext { Payload = payload };
            SigningKey.CopyTo(context.SigningKey, 0);
            Seed.CopyTo(context.SeedSignature, 0);
            AmzDate.CopyTo(context.AmzDate, 0);
            Scope.CopyTo(context.ScopeBuffer, 0);
            context.ScopeLength = Scope.Length;
            var decoded = new ArrayBufferWriter<byte>();
            try
            {
                _reader.Start(request.Body, context, declaredLength, "x-amz-checksum-sha256"u8);
                while (true)
                {
                    ReadOnlySequence<byte> piece = await _reader.ReadAsync();
                    if (piece.IsEmpty)
                    {
                        break;
                    }

                    foreach (ReadOnlyMemory<byte> segment in piece)
                    {
                        decoded.Write(segment.Span);
                    }
                }

                if (_reader.TryGetTrailer("x-amz-checksum-sha256"u8, out ReadOnlySpan<byte> trailer))
                {
                    Trailer = Encoding.ASCII.GetString(trailer);
                }
            }
            catch (S3Exception ex)
            {
                Error = ex.Error.Code;
            }

            Decoded = decoded.WrittenSpan.ToArray();
            response.ContentLength = 0;
        }
    }
}
