using System.Security.Cryptography;
using System.Text;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// The positive controls of <see cref="KeyHygieneTests"/>: markers the server provably keeps where
/// the test looks for keys, each in every encoding that place can hold, so that finding no key
/// there shows something. <see cref="Content"/>, in every encoding of <see cref="SecretEncodings"/>,
/// is the content of a small plain object: inline in its index record, it is in the memtable (the
/// server's memory, until 4 MiB of records are written) and in the write-ahead log (DATA_DIR).
/// <see cref="Logged"/> names DATA_DIR, which the server logs as it starts, in every encoding that
/// is file-name text (hex, HEX, base64 drawn without '/', base64url).
/// </summary>
internal sealed class HygieneMarkers
{
    private const string Bucket = "hygiene-markers";

    public HygieneMarkers(string work)
    {
        ContentBody = [.. SecretEncodings.Of(Content.Value).SelectMany(e => e.Bytes.Append((byte)'\n'))];
        DataDir = Path.Combine(work, string.Join('-', SecretEncodings.Of(Logged.Value)
            .Where(e => e.Bytes.All(b => b is > 0x20 and < 0x7f and not (byte)'/'))
            .Select(e => Encoding.ASCII.GetString(e.Bytes))));
    }

    public Secret Content { get; } = new("content marker", RandomNumberGenerator.GetBytes(32));

    public Secret Logged { get; } = new("logged marker", WithoutSlashInBase64());

    /// <summary>What the marker object holds.</summary>
    public byte[] ContentBody { get; }

    /// <summary>The server's DATA_DIR, named by <see cref="Logged"/>.</summary>
    public string DataDir { get; }

    /// <summary>Stores <see cref="ContentBody"/> as a plain object of its own bucket.</summary>
    public async Task PlantAsync(ServerProcess server, string work)
    {
        string body = Path.Combine(work, "content-marker");
        await File.WriteAllBytesAsync(body, ContentBody);
        string[][] commands = [["s3api", "create-bucket", "--bucket", Bucket], ["s3api", "put-object", "--bucket", Bucket, "--key", "marker", "--body", body]];
        foreach (string[] command in commands)
        {
            var (exit, _, stderr) = await AwsCli.RunAsync(server.BaseUrl, command);
            Assert.True(exit == 0, stderr);
        }
    }

    /// <summary>Fails unless the content marker was found in every encoding (else <paramref name="where"/> is not searchable); returns the other hits.</summary>
    public IEnumerable<SecretHit> ControlContent(IEnumerable<SecretHit> hits, string where) => Control(Content, ContentBody, hits, where);

    /// <summary>Fails unless the logged marker was found in every encoding DATA_DIR's name holds; returns the other hits.</summary>
    public IEnumerable<SecretHit> ControlLog(IEnumerable<SecretHit> hits) => Control(Logged, Encoding.UTF8.GetBytes(DataDir), hits, "the server's log");

    private static IEnumerable<SecretHit> Control(Secret marker, byte[] planted, IEnumerable<SecretHit> hits, string where)
    {
        string[] expected = [.. SecretEncodings.Of(marker.Value).Where(e => planted.AsSpan().IndexOf(e.Bytes) >= 0).Select(e => e.Name)];
        string[] missing = [.. expected.Except(hits.Where(h => h.Secret == marker).Select(h => h.Pattern.Encoding))];
        Assert.True(expected.Length > 0 && missing.Length == 0, $"{where} is not searchable: the {marker.Name} is there but was not found as {string.Join(", ", missing)}");
        return hits.Where(h => h.Secret != marker);
    }

    private static byte[] WithoutSlashInBase64()
    {
        while (true)
        {
            byte[] value = RandomNumberGenerator.GetBytes(32);
            if (!Convert.ToBase64String(value).Contains('/'))
            {
                return value;
            }
        }
    }
}
