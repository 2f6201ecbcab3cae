using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;
using Xunit.Abstractions;

namespace FastS3.Tests;

/// <summary>
/// Key hygiene of the native AOT binary as shipped: after SSE-C traffic, no customer key or key MD5,
/// nor any key derived from one (object keys, key-encryption keys, subkeys, part keys), is in
/// DATA_DIR, in the log, or in a core dump of the live server, in any encoding
/// (<see cref="SecretEncodings"/>). Each of the three places is first shown to be searchable: a
/// marker the server provably keeps there must be found in every encoding (<see cref="HygieneMarkers"/>).
/// Two residues are outside the server's reach and waived, and only where they provably are: the
/// last request of each connection still open, in the read buffer where OpenSSL decrypted it
/// (<see cref="TlsReadBufferResidue"/>), and a few bytes in a thread's saved registers
/// (<see cref="RegisterResidue"/>).
/// </summary>
[RunsLong]
[Trait("Store", "Disk")]
public sealed class KeyHygieneTests(ITestOutputHelper output) : IDisposable
{
    // The key and its MD5, as the one request in a connection's OpenSSL read buffer carries them.
    private const int MaxResiduePerOpenConnection = 2;

    // What one thread's saved vector state can hold of keys: its last copy or AES block work, a few
    // 16-64-byte registers (seen: one key twice, 64 bytes apart).
    private const int MaxResiduePerThreadRegisters = 4;

    private readonly string _work = Directory.CreateTempSubdirectory("fasts3-hygiene-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task NoKeyMaterialOutlivesAnSseCWorkload()
    {
        string binary = await NativeAotTests.Binary.Value;
        Dictionary<string, byte[]> keys = KeyHygieneWorkload.NewKeys();
        Secret[] secrets = [.. keys.SelectMany(key => Secret.OfCustomerKey(key.Key, key.Value))];
        var markers = new HygieneMarkers(_work);

        // Copies, Completes and UploadPartCopy all take the early-200 keep-alive path.
        // Plain by default, so the positive control's marker object is stored in the clear.
        await using ServerProcess server = await ServerProcess.StartAsync(binary, dataDir: markers.DataDir, extraArguments: ["--keepalive-after", "0", "--default-encryption", "none"]);
        int listeners = server.OpenSockets();
        await markers.PlantAsync(server, _work);
        await KeyHygieneWorkload.RunAsync(server, keys, _work);
        OpenConnection[] open = [await KeyHygieneWorkload.IdleConnectionAsync(server, "idle", keys["idle"])];

        // Every connection the clients closed is closed on the server's side too: the waiver counts the rest.
        await server.WaitForOpenSocketsAsync(listeners + open.Length, TimeSpan.FromSeconds(10));
        using CoreDump dump = await CoreDump.TakeAsync(server.ProcessId);
        foreach (OpenConnection connection in open)
        {
            connection.Dispose();
        }

        Assert.Equal(0, await server.StopAsync());
        AssertNoKeys(markers.ControlContent(SecretScanner.ScanDirectory(server.DataDir, [.. secrets, markers.Content]), "DATA_DIR"), "DATA_DIR");
        AssertLogHasNoKeys(server, secrets, markers);

        List<Secret> derived = await KeyHygieneWorkload.DerivedKeysAsync(server.DataDir, keys);
        var clock = Stopwatch.StartNew();
        List<SecretHit> inMemory = SecretScanner.ScanDump(dump, [.. secrets, .. derived, markers.Content]);
        output.WriteLine($"core dump: {new FileInfo(dump.Path).Length / (1024 * 1024)} MiB searched in {clock.ElapsedMilliseconds} ms for {secrets.Length} customer keys and MD5s and {derived.Count} derived keys, each in every encoding");
        inMemory = [.. markers.ControlContent(inMemory, "the core dump")];
        List<SecretHit> residue = TlsReadBufferResidue(dump, inMemory, open);
        foreach (SecretHit hit in residue)
        {
            output.WriteLine($"waived, in the OpenSSL read buffer of an open connection: {hit}");
        }

        Assert.True(residue.Count <= MaxResiduePerOpenConnection * open.Length, $"{residue.Count} waived copies for {open.Length} open connections");
        List<SecretHit> inRegisters = RegisterResidue(inMemory);
        foreach (SecretHit hit in inRegisters)
        {
            output.WriteLine($"waived, in a thread's saved registers: {hit}");
        }

        AssertNoKeys(inMemory.Except(residue).Except(inRegisters), "the server's memory");
    }

    /// <summary>
    /// The register waiver matches how <see cref="CoreDump"/> names a hit in the notes ("byte N of …"):
    /// it matched nothing once, so the residue README describes as waived failed the test (CI, 8 Dec 2026).
    /// </summary>
    [Theory]
    [InlineData("byte 1664 of the saved vector registers (XSAVE) of thread 15357", "the saved vector registers (XSAVE) of thread 15357")]
    [InlineData("byte 8 of the saved general registers of thread 7", "the saved general registers of thread 7")]
    [InlineData("7fadcc000000-7fadcc057000 rw-p anonymous", null)]
    [InlineData("in the core file's ELF headers", null)]
    public void RegisterHitsAreCountedPerThreadAndMemoryHitsAreNot(string region, string? registerSet)
        => Assert.Equal(registerSet, RegisterSet(region));

    [Fact]
    public async Task OverPlainHttpNoCopyOfTheKeyHeadersRemains()
    {
        string binary = await NativeAotTests.Binary.Value;
        Dictionary<string, byte[]> keys = new[] { "get", "again", "head", "put", "continue", "copy-source" }
            .ToDictionary(role => role, _ => RandomNumberGenerator.GetBytes(32));
        Secret[] secrets = [.. keys.SelectMany(key => Secret.OfCustomerKey(key.Key, key.Value))];
        var markers = new HygieneMarkers(_work);
        await using ServerProcess server = await ServerProcess.StartAsync(binary, tls: false, dataDir: markers.DataDir, extraArguments: ["--default-encryption", "none"]);
        await markers.PlantAsync(server, _work);

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
            AssertNoKeys(markers.ControlContent(SecretScanner.ScanDump(dump, [.. secrets, markers.Content]), "the core dump"), "the server's memory");
        }

        AssertLogHasNoKeys(server, secrets, markers);
    }

    /// <summary>
    /// The second residue waived: the registers a thread saved when it went idle (the core's notes).
    /// Native code the server cannot reach (glibc's memmove, OpenSSL's AES-GCM) leaves the last bytes
    /// it moved or decrypted in vector registers, and .NET has no way to clear a register file
    /// (no vzeroall). Registers only, a few hits a thread: a copy in any memory fails the test.
    /// </summary>
    private static List<SecretHit> RegisterResidue(List<SecretHit> hits)
    {
        List<SecretHit> inRegisters = [.. hits.Where(hit => RegisterSet(hit.Region) is not null)];
        foreach (IGrouping<string, SecretHit> thread in inRegisters.GroupBy(hit => RegisterSet(hit.Region)!))
        {
            Assert.True(thread.Count() <= MaxResiduePerThreadRegisters, $"{thread.Count()} copies in {thread.Key}: more than registers hold by chance");
        }

        return inRegisters;
    }

    /// <summary>
    /// The register set a hit lies in ("the saved vector registers (XSAVE) of thread T"), or null when
    /// it is in memory: <see cref="CoreDump"/> describes a hit in the core's notes as "byte N of"
    /// that set, so the byte is dropped to count a thread's hits together.
    /// </summary>
    private static string? RegisterSet(string region)
    {
        int at = region.IndexOf(" of the saved ", StringComparison.Ordinal);
        return region.StartsWith("byte ", StringComparison.Ordinal) && at > 0 ? region[(at + 4)..] : null;
    }

    /// <summary>
    /// The residue waived, and the one bound it has: each open connection's last request, in the
    /// read buffer OpenSSL decrypted it in (<see cref="OpenSslReadBuffer"/>), in one buffer per
    /// connection, and nowhere else. A hit counts only if it is a secret that connection sent and
    /// lies where that request's copy of it lies in a buffer holding exactly that request. The
    /// buffer must also be found, once per connection: it shows that the dump holds OpenSSL's heap
    /// and that this waiver still describes what OpenSSL does (were the record cleansed, remove it).
    /// Over plain HTTP there is nothing to waive (<see cref="OverPlainHttpNoCopyOfTheKeyHeadersRemains"/>).
    /// </summary>
    private static List<SecretHit> TlsReadBufferResidue(CoreDump dump, List<SecretHit> hits, OpenConnection[] open)
    {
        var residue = new List<SecretHit>();
        foreach (OpenConnection connection in open)
        {
            var buffers = new HashSet<long>();
            foreach (SecretHit hit in hits.Where(h => connection.Secrets.Contains(h.Secret)))
            {
                int at = connection.LastRecord.AsSpan().IndexOf(hit.Pattern.Bytes);
                if (at >= 0 && dump.AddressOf(hit.Offset) is { } address && OpenSslReadBuffer.Holds(dump, address - at, connection.LastRecord))
                {
                    buffers.Add(address - at);
                    residue.Add(hit);
                }
            }

            Assert.True(buffers.Count == 1, $"the last request of the open connection '{connection.Role}' is in {buffers.Count} OpenSSL read buffers, not one");
        }

        return residue;
    }

    private static void AssertLogHasNoKeys(ServerProcess server, Secret[] secrets, HygieneMarkers markers)
        => AssertNoKeys(markers.ControlLog(SecretScanner.ScanText(server.Log, "the server's log", [.. secrets, markers.Logged])), "the server's log");

    private static void AssertNoKeys(IEnumerable<SecretHit> hits, string where)
    {
        List<SecretHit> found = [.. hits];
        Assert.True(found.Count == 0, $"key material in {where}:\n" + string.Join('\n', found));
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
