using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;

namespace FastS3.Fuzz;

/// <summary>
/// The starting inputs of every target, reproducibly: the captured aws-cli, boto3 and curl requests
/// (tests/fuzz/captures and the test fixtures) in each target's input format, plus hand-made ones
/// for what no capture holds (signed aws-chunked streams, encrypted objects, odd framing).
/// </summary>
internal static class Seeds
{
    // Split control byte for captured requests: pieces of 1..8 bytes.
    private const byte SmallPieces = 7;

    public static void Write(string directory)
    {
        Dictionary<string, byte[]> captured = Captured();
        foreach ((string target, string name, byte[] input) in All(captured))
        {
            string folder = Path.Combine(directory, target);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, name), input);
        }
    }

    private static IEnumerable<(string Target, string Name, byte[] Input)> All(Dictionary<string, byte[]> captured)
    {
        foreach ((string name, byte[] request) in captured)
        {
            yield return ("http", name, [SmallPieces, .. request]);
            yield return ("sigv4", name, Head(request));
            if (Header(request, "transfer-encoding") == "chunked")
            {
                yield return ("chunked", name, [SmallPieces, .. Body(request)]);
            }

            if (Header(request, "content-encoding") == "aws-chunked")
            {
                yield return ("aws-chunked", name, [SmallPieces, .. request]);
            }
        }

        foreach ((string name, string request) in HandMadeRequests)
        {
            yield return ("http", name, [SmallPieces, .. Encoding.Latin1.GetBytes(request)]);
        }

        foreach ((string name, string body) in HandMadeChunkedBodies)
        {
            yield return ("chunked", name, [SmallPieces, .. Encoding.Latin1.GetBytes(body)]);
        }

        foreach ((string name, byte[] request) in AwsChunkedRequests())
        {
            yield return ("aws-chunked", name, [SmallPieces, .. request]);
        }

        yield return ("xml", "awscli-complete-multipart-upload", [0, .. Body(captured["awscli-complete-multipart-upload"])]);
        yield return ("xml", "awscli-delete-objects", [1, .. Body(captured["awscli-delete-objects"])]);
        foreach ((string name, byte control, string body) in HandMadeXml)
        {
            yield return ("xml", name, [control, .. Encoding.UTF8.GetBytes(body)]);
        }

        foreach ((long size, string range) in EncryptedReads)
        {
            yield return ("segments", $"size-{size}-{RangeName(range)}", [.. Encoding.ASCII.GetBytes($"{size}\n{range}\n"), .. EncryptedObject.Encrypt(size, EncryptedObject.NoncePrefix)]);
        }

        foreach ((long size, string range) in Ranges)
        {
            yield return ("range", $"size-{size}-{RangeName(range)}", Encoding.ASCII.GetBytes($"{size}\n{range}"));
        }
    }

    private static Dictionary<string, byte[]> Captured()
    {
        var all = new Dictionary<string, byte[]>();
        foreach (string path in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "captures"), "*.bin"))
        {
            all[Path.GetFileNameWithoutExtension(path)] = File.ReadAllBytes(path);
        }

        foreach (string name in Fixtures.Names)
        {
            all["fixture-" + Path.GetFileNameWithoutExtension(name)] = Fixtures.Load(name);
        }

        return all;
    }

    private static readonly (string Name, string Request)[] HandMadeRequests =
    [
        ("pipelined", "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPUT /a/b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloHEAD /a/b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"),
        ("http10-keep-alive", "GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /b?x=1 HTTP/1.0\r\n\r\n"),
        ("options-asterisk", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"),
        ("expect-continue", "PUT /b/k HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello"),
        ("leading-empty-lines", "\r\n\r\nDELETE /b/k?versionId=1 HTTP/1.1\r\nhost:h\r\nX-Empty:\r\n\r\n"),
        ("chunked-then-get", "POST /b?delete HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\nwiki\r\n0\r\nx-t: 1\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"),
    ];

    private static readonly (string Name, string Body)[] HandMadeChunkedBodies =
    [
        ("one-chunk", "5\r\nhello\r\n0\r\n\r\n"),
        ("empty", "0\r\n\r\n"),
        ("extensions-and-trailers", "3;name=value;q=\"x\"\r\nabc\r\nA \r\n0123456789\r\n0\r\nx-amz-checksum-crc32: AAAAAA==\r\nx-other:\t2\r\n\r\n"),
        ("pipelined-after", "1\r\nx\r\n0\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n"),
    ];

    private static readonly (string Name, byte Control, string Body)[] HandMadeXml =
    [
        ("complete-prolog-sha256", 0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload>\n  <Part>\n    <ETag>\"0123456789abcdef0123456789abcdef\"</ETag>\n    <PartNumber> 3 </PartNumber>\n    <ChecksumSHA256>47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=</ChecksumSHA256>\n  </Part>\n  <!-- comment -->\n  <Part><PartNumber>10000</PartNumber><ETag>abc</ETag><ChecksumCRC64NVME>AAAAAAAAAAA=</ChecksumCRC64NVME></Part>\n</CompleteMultipartUpload>"),
        ("complete-cdata", 0, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber><ETag><![CDATA[\"e\"]]></ETag><ChecksumCRC32C>AAAAAA==</ChecksumCRC32C><ChecksumSHA1>2jmj7l5rSw0yVb/vlWAYkK/YBwk=</ChecksumSHA1></Part></CompleteMultipartUpload>"),
        ("delete-quiet-version", 1, "<?xml version=\"1.0\" encoding=\"utf-8\"?><Delete><Quiet>true</Quiet><Object><Key> spaced key </Key><VersionId>null</VersionId></Object><Object><Key>&#x1F600;&#10;</Key></Object></Delete>"),
        ("delete-utf16", 1, "<?xml version=\"1.0\" encoding=\"utf-16\"?><Delete/>"),
    ];

    private static readonly (long Size, string Range)[] EncryptedReads =
    [
        (1, "bytes=0-0"),
        (100, ""),
        (100, "bytes=10-20"),
        (100, "bytes=-5"),
        (65536, "bytes=65530-"),
        (65537, "bytes=65535-65536"),
        (140000, "bytes=1000-139000"),
    ];

    private static readonly (long Size, string Range)[] Ranges =
    [
        (100, "bytes=0-9"),
        (100, "bytes=-10"),
        (100, "bytes=90-"),
        (0, "bytes=0-"),
        (140000, "bytes=65535-65536"),
        (9223372036854775807, "bytes=1-2"),
        (100, "bytes= 5-5000"),
    ];

    private static string RangeName(string range) => range.Length == 0 ? "whole" : range.Replace("bytes=", "").Replace(' ', '_');

    /// <summary>aws-chunked uploads no capture holds: signed chunks, a signed trailer, and several chunks in Content-Length framing.</summary>
    private static IEnumerable<(string Name, byte[] Request)> AwsChunkedRequests()
    {
        byte[][] chunks = [Encoding.ASCII.GetBytes("first chunk "), Encoding.ASCII.GetBytes("and the second")];
        yield return ("unsigned-trailer-content-length", AwsChunkedRequest("STREAMING-UNSIGNED-PAYLOAD-TRAILER", chunks, trailer: true, httpChunked: false));
        yield return ("signed", AwsChunkedRequest("STREAMING-AWS4-HMAC-SHA256-PAYLOAD", chunks, trailer: false, httpChunked: false));
        yield return ("signed-trailer", AwsChunkedRequest("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", chunks, trailer: true, httpChunked: false));
        yield return ("signed-trailer-http-chunked", AwsChunkedRequest("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", chunks, trailer: true, httpChunked: true));
    }

    private static byte[] AwsChunkedRequest(string mode, byte[][] chunks, bool trailer, bool httpChunked)
    {
        bool signed = mode.StartsWith("STREAMING-AWS4", StringComparison.Ordinal);
        byte[] data = [.. chunks.SelectMany(c => c)];
        var body = new StringBuilder();
        byte[] previous = StreamSigning.SeedSignature;
        foreach (byte[] chunk in chunks.Append([]))
        {
            body.Append($"{chunk.Length:x}");
            if (signed)
            {
                previous = StreamSigning.Next(previous, "AWS4-HMAC-SHA256-PAYLOAD"u8, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData([]))), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(chunk))));
                body.Append($";chunk-signature={StreamSigning.Hex(previous)}");
            }

            body.Append("\r\n").Append(Encoding.Latin1.GetString(chunk)).Append(chunk.Length > 0 ? "\r\n" : "");
        }

        if (trailer)
        {
            byte[] crc = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(data));
            string field = $"x-amz-checksum-crc32:{Convert.ToBase64String(crc)}";
            body.Append(field).Append("\r\n");
            if (signed)
            {
                byte[] digest = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(field + "\n"))));
                body.Append($"x-amz-trailer-signature:{StreamSigning.Hex(StreamSigning.Next(previous, "AWS4-HMAC-SHA256-TRAILER"u8, digest, default))}\r\n");
            }
        }

        body.Append("\r\n");
        string inner = body.ToString();
        string framing = httpChunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {inner.Length}\r\n";
        string head = $"PUT /seeds/key HTTP/1.1\r\nHost: 127.0.0.1:19443\r\nContent-Encoding: aws-chunked\r\nx-amz-content-sha256: {mode}\r\n"
            + $"x-amz-decoded-content-length: {data.Length}\r\n{(trailer ? "x-amz-trailer: x-amz-checksum-crc32\r\n" : "")}{framing}\r\n";
        return Encoding.Latin1.GetBytes(head + (httpChunked ? $"{inner.Length:x}\r\n{inner}\r\n0\r\n\r\n" : inner));
    }

    private static int HeadLength(byte[] request) => request.AsSpan().IndexOf("\r\n\r\n"u8) + 4;

    private static byte[] Head(byte[] request) => request[..HeadLength(request)];

    private static byte[] Body(byte[] request) => request[HeadLength(request)..];

    private static string? Header(byte[] request, string name)
        => Encoding.Latin1.GetString(Head(request)).Split("\r\n")
            .Select(line => line.Split(':', 2))
            .FirstOrDefault(field => field.Length == 2 && field[0].Equals(name, StringComparison.OrdinalIgnoreCase))?[1].Trim();
}
