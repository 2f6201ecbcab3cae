using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;
using Xunit.Abstractions;

namespace FastS3.Tests;

/// <summary>
/// Key hygiene of the native AOT binary as shipped: after SSE-C traffic, no form of any customer key
/// (raw, base64 as ASCII or UTF-16, hex, and the same for its MD5; <see cref="SecretForm.OfCustomerKey"/>)
/// is in DATA_DIR, in the log, or in a core dump of the live server, nor is any key derived from one
/// (object keys, key-encryption keys, subkeys, part keys). One residue is outside the
/// server's reach and allowed, explicitly (<see cref="IsTlsReceiveResidue"/>): the last TLS records
/// the TLS stack decrypted, kept verbatim in SslStream's pooled read buffer, which it returns to
/// ArrayPool&lt;byte&gt;.Shared without clearing, and in OpenSSL's record buffer, which it frees without
/// cleansing (SSL_OP_CLEANSE_PLAINTEXT is not settable through SslStream). That those copies are the
/// TLS stack's and not the transport's is shown by the same requests over plain HTTP, where
/// nothing at all may remain.
/// </summary>
public sealed class KeyHygieneTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("fasts3-hygiene-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task NoKeyMaterialOutlivesAnSseCWorkload()
    {
        string binary = await NativeAotTests.Binary.Value;
        Dictionary<string, byte[]> keys = KeyHygieneWorkload.NewKeys();
        SecretForm[] secrets = [.. keys.SelectMany(key => SecretForm.OfCustomerKey(key.Key, key.Value))];

        // Copies, Completes and UploadPartCopy all take the early-200 keep-alive path.
        await using ServerProcess server = await ServerProcess.StartAsync(binary, extraArguments: ["--keepalive-after", "0"]);
        await KeyHygieneWorkload.RunAsync(server, keys, _work);
        RawClient idle = await KeyHygieneWorkload.IdleConnectionAsync(server, keys["idle"]);
        using CoreDump dump = await CoreDump.TakeAsync(server.ProcessId);
        idle.Dispose();

        Assert.Equal(0, await server.StopAsync());
        Assert.Empty(SecretScanner.ScanDirectory(server.DataDir, secrets));
        Assert.Empty(SecretScanner.ScanText(server.Log, "the server's log", secrets));

        List<SecretForm> derived = await KeyHygieneWorkload.DerivedKeysAsync(server.DataDir, keys);
        List<SecretHit> inMemory = SecretScanner.ScanFile(dump.Path, [.. secrets, .. derived]);
        output.WriteLine($"core dump: {new FileInfo(dump.Path).Length / (1024 * 1024)} MiB, searched for {secrets.Length} forms of {keys.Count} customer keys and {derived.Count} derived keys");
        List<SecretHit> residue = [.. inMemory.Where(IsTlsReceiveResidue)];
        foreach (SecretHit hit in residue)
        {
            output.WriteLine($"allowed TLS receive residue: {hit}");
        }

        List<SecretHit> kept = [.. inMemory.Except(residue)];
        Assert.True(kept.Count == 0, "key material in the server's memory:\n" + string.Join('\n', kept));
    }

    [Fact]
    public async Task OverPlainHttpNoCopyOfTheKeyHeadersRemains()
    {
        string binary = await NativeAotTests.Binary.Value;
        Dictionary<string, byte[]> keys = new[] { "get", "again", "head", "put", "continue", "copy-source" }
            .ToDictionary(role => role, _ => RandomNumberGenerator.GetBytes(32));
        SecretForm[] secrets = [.. keys.SelectMany(key => SecretForm.OfCustomerKey(key.Key, key.Value))];
        await using ServerProcess server = await ServerProcess.StartAsync(binary, tls: false);

        // SSE-C over HTTP is refused before authentication, so the keys pass through the transport
        // only: a keep-alive connection (left open, idle), a head copied out because a body
        // follows, a body held back by 100-continue, and copy-source headers.
        using RawClient idle = await RawClient.ConnectAsync(server.BaseUrl.Port);
        await ExpectRefusalAsync(idle, server, "GET", Triple(keys["get"]));
        await ExpectRefusalAsync(idle, server, "GET", Triple(keys["again"]));
        await ExpectRefusalAsync(idle, server, "HEAD", Triple(keys["head"]));
        using (RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port))
        {
            await ExpectRefusalAsync(client, server, "PUT", Triple(keys["put"]), RandomNumberGenerator.GetBytes(50_000));
        }

        using (RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port))
        {
            await ExpectRefusalAsync(client, server, "PUT", [.. Triple(keys["continue"]), "Expect: 100-continue"], contentLength: 1024 * 1024);
        }

        using (RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port))
        {
            await ExpectRefusalAsync(client, server, "PUT", [.. Triple(keys["copy-source"], "x-amz-copy-source-"), "x-amz-copy-source: /vault/file"]);
        }

        using (CoreDump dump = await CoreDump.TakeAsync(server.ProcessId))
        {
            List<SecretHit> hits = SecretScanner.ScanFile(dump.Path, secrets);
            Assert.True(hits.Count == 0, "key material in the server's memory:\n" + string.Join('\n', hits));
        }

        Assert.Empty(SecretScanner.ScanText(server.Log, "the server's log", secrets));
    }

    /// <summary>
    /// The one copy allowed: the base64 key or key MD5 as the value of a header line exactly as the
    /// client sent it (<c>…-key: VALUE CRLF</c>, <c>…-key-MD5: VALUE CRLF</c>), which is what the TLS
    /// stack's receive buffers hold. Only the line's tail is required: a pooled buffer SslStream gave
    /// back is rented again and partly overwritten. The transport's own copies of heads are all
    /// zeroed (<see cref="OverPlainHttpNoCopyOfTheKeyHeadersRemains"/>); anything else (raw bytes, a
    /// UTF-16 string, hex, the canonical request's <c>name:value LF</c>, a bare value) is a leak.
    /// </summary>
    private static bool IsTlsReceiveResidue(SecretHit hit)
    {
        string? line = hit.Secret.Form switch
        {
            "base64 key" => "key: ",
            "base64 key MD5" => "md5: ",
            _ => null,
        };
        return line is not null
            && Encoding.Latin1.GetString(hit.Before).EndsWith(line, StringComparison.OrdinalIgnoreCase)
            && hit.After.AsSpan().StartsWith("\r\n"u8);
    }

    private static string[] Triple(byte[] key, string prefix = "x-amz-") =>
    [
        $"{prefix}server-side-encryption-customer-algorithm: AES256",
        $"{prefix}server-side-encryption-customer-key: {Convert.ToBase64String(key)}",
        $"{prefix}server-side-encryption-customer-key-MD5: {Convert.ToBase64String(MD5.HashData(key))}",
    ];

    private static async Task ExpectRefusalAsync(RawClient client, ServerProcess server, string method, string[] headers, byte[]? body = null, int? contentLength = null)
    {
        string head = $"{method} /vault/object HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {contentLength ?? body?.Length ?? 0}\r\n{string.Concat(headers.Select(h => h + "\r\n"))}\r\n";
        await client.SendAsync([.. Encoding.ASCII.GetBytes(head), .. body ?? []]);
        Assert.Equal(400, (await client.ReadResponseAsync(head: method == "HEAD")).Status);
    }
}
