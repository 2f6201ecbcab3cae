using System.Text;
using CsCheck;
using FastS3.Http.Tests.Infrastructure;
using FastS3.Testing;

namespace FastS3.Http.Tests;

/// <summary>
/// Round trips through the real connection loop: random valid request heads and chunked bodies,
/// rendered, delivered in random pieces and parsed, come back as they were written.
/// </summary>
public class ParserPropertyTests
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // Fields that change how the request is framed or answered are the transport's: not generated.
    private static readonly string[] FramingFields = ["host", "content-length", "transfer-encoding", "connection", "expect"];

    private static readonly Gen<string> Token = Text(Gen.Char[TokenChars], 1, 12);

    // Not HEAD: the recording application answers with a body.
    private static readonly Gen<string> Method = Gen.OneOf<string>(Gen.OneOf("GET", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"), Token).Where(m => m != "HEAD");

    // Origin-form: "/" then visible ASCII, with an optional query.
    private static readonly Gen<string> Target = Gen.Select(
        Text(Gen.Char['!', '~'].Where(c => c != '?'), 0, 40),
        Text(Gen.Char['!', '~'], 0, 40),
        Gen.Bool,
        (path, query, hasQuery) => "/" + path + (hasQuery ? "?" + query : ""));

    // Visible ASCII and inner spaces or tabs; the parser hands values back trimmed.
    private static readonly Gen<string> FieldValue = Text(Gen.Frequency((8, (IGen<char>)Gen.Char['!', '~']), (1, Gen.Char[" \t"])), 0, 30)
        .Select(v => v.Trim(' ', '\t'));

    private static readonly Gen<(string Name, string Value)[]> Fields = Gen.Select(Token.Where(n => !FramingFields.Contains(n.ToLowerInvariant())), FieldValue).Array[0, 20];

    private static Gen<string> Text(Gen<char> chars, int min, int max) => chars.Array[min, max].Select(c => new string(c));

    private static int[] SplitsOf(int length, uint seed, int count)
    {
        var random = new Random((int)seed);
        return [.. Enumerable.Range(0, count).Select(_ => random.Next(1, Math.Max(2, length)))];
    }

    [Fact]
    public async Task RenderedHeadsParseToTheSameRequest()
    {
        var requests = Gen.Select(Method, Target, Gen.OneOf("HTTP/1.1", "HTTP/1.0"), Fields, Gen.UInt, Gen.Int[0, 8]);
        await requests.SampleAsync(async (method, target, version, fields, seed, pieces) =>
        {
            // The Host comes at a random place among the other fields.
            var all = fields.ToList();
            all.Insert((int)(seed % (all.Count + 1)), ("Host", "example.test:9000"));
            string head = $"{method} {target} {version}\r\n{string.Concat(all.Select(f => $"{f.Name}: {f.Value}\r\n"))}\r\n";
            byte[] bytes = Encoding.ASCII.GetBytes(head);

            var app = new RecordingApplication();
            string raw = await InMemoryConnection.RunAsync(app, new SegmentedPipeReader(bytes, SplitsOf(bytes.Length, seed, pieces)));

            Assert.Equal(200, RawResponses.Status(raw));
            RecordedRequest request = Assert.Single(app.Requests);
            Assert.Equal(method, request.MethodText);
            Assert.Equal(target, request.Target);
            Assert.Equal(version == "HTTP/1.1" ? HttpVersion.Http11 : HttpVersion.Http10, request.Version);
            Assert.Equal<(string, string)>(all, request.Headers);
        }, iter: 300);
    }

    [Fact]
    public async Task ChunkedBodiesDecodeToTheBytesSent()
    {
        var bodies = Gen.Select(Gen.Byte.Array[0, 3000], Gen.Int[1, 700].Array[1, 10], Gen.Bool, Fields, Gen.UInt, Gen.Int[0, 12]);
        await bodies.SampleAsync(async (data, sizes, extensions, trailers, seed, pieces) =>
        {
            var body = new MemoryStream();
            int at = 0;
            for (int i = 0; at < data.Length; i++)
            {
                int size = Math.Min(sizes[i % sizes.Length], data.Length - at);
                body.Write(Encoding.ASCII.GetBytes($"{size:X}{(extensions ? ";name=value" : "")}\r\n"));
                body.Write(data, at, size);
                body.Write("\r\n"u8);
                at += size;
            }

            body.Write(Encoding.ASCII.GetBytes($"0\r\n{string.Concat(trailers.Select(f => $"{f.Name}: {f.Value}\r\n"))}\r\n"));
            byte[] bytes = [.. "PUT /b/k HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"u8, .. body.ToArray()];

            var app = new RecordingApplication();
            string raw = await InMemoryConnection.RunAsync(app, new SegmentedPipeReader(bytes, SplitsOf(bytes.Length, seed, pieces)));

            Assert.Equal(200, RawResponses.Status(raw));
            RecordedRequest request = Assert.Single(app.Requests);
            Assert.Equal(data, request.Body);
            Assert.Equal<(string, string)>(trailers, request.Trailers);
        }, iter: 300);
    }
}
