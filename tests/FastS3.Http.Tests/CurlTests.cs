using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using FastS3.Http.Tests.Infrastructure;
using FastS3.Testing;

namespace FastS3.Http.Tests;

/// <summary>The real curl against the real server: plain and TLS, chunked uploads, 100-continue.</summary>
public class CurlTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fasts3-curl-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Answers "LENGTH SHA256" of the body it read, and what framing it arrived with.</summary>
    private sealed class HashApp : IHttpApplication
    {
        public async ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            while (true)
            {
                ReadOnlySequence<byte> piece = await request.Body.ReadAsync();
                if (piece.IsEmpty)
                {
                    break;
                }

                foreach (ReadOnlyMemory<byte> segment in piece)
                {
                    sha.AppendData(segment.Span);
                }

                length += piece.Length;
            }

            string text = $"{length} {Convert.ToHexStringLower(sha.GetHashAndReset())} chunked={request.IsChunked} continue={request.ExpectsContinue} tls={request.IsTls}\n";
            response.ContentLength = text.Length;
            response.Headers.Add("Content-Type"u8, "text/plain"u8);
            response.Write(Encoding.ASCII.GetBytes(text));
        }
    }

    private string MakeFile(int size, out string sha256)
    {
        byte[] data = RandomNumberGenerator.GetBytes(size);
        sha256 = Convert.ToHexStringLower(SHA256.HashData(data));
        string path = Path.Combine(_directory, $"body-{size}");
        File.WriteAllBytes(path, data);
        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetOverHttp11(bool tls)
    {
        await using LoopbackServer server = LoopbackServer.Start(new HashApp(), tls: tls);
        var (exit, stdout, stderr) = await Processes.CurlAsync("--http1.1", "--insecure", server.Url("/x"), server.Url("/y"));
        Assert.True(exit == 0, stderr);
        Assert.Equal($"0 {Convert.ToHexStringLower(SHA256.HashData([]))} chunked=False continue=False tls={tls}\n", stdout[..(stdout.Length / 2)]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChunkedUpload(bool tls)
    {
        await using LoopbackServer server = LoopbackServer.Start(new HashApp(), tls: tls);
        string file = MakeFile(5 * 1024 * 1024 + 7, out string sha);
        var (exit, stdout, stderr) = await Processes.CurlAsync(
            "--http1.1", "--insecure", "-X", "PUT", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, server.Url("/upload"));
        Assert.True(exit == 0, stderr);
        Assert.Equal($"{5 * 1024 * 1024 + 7} {sha} chunked=True continue=True tls={tls}\n", stdout);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UploadWithExpectContinue(bool tls)
    {
        await using LoopbackServer server = LoopbackServer.Start(new HashApp(), tls: tls);
        string file = MakeFile(3 * 1024 * 1024, out string sha);

        // curl waits up to --expect100-timeout for the 100 before sending; a server that never
        // answers it would make this take 30 s, which the verbose trace would show.
        var (exit, stdout, stderr) = await Processes.CurlAsync(
            "--http1.1", "--insecure", "--verbose", "--expect100-timeout", "30", "-H", "Expect: 100-continue", "--upload-file", file, server.Url("/upload"));
        Assert.True(exit == 0, stderr);
        Assert.Equal($"{3 * 1024 * 1024} {sha} chunked=False continue=True tls={tls}\n", stdout);
        Assert.Contains("HTTP/1.1 100 Continue", stderr);
    }
}
