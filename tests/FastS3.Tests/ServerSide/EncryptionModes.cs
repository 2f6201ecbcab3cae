using System.Security.Cryptography;
using FastS3.Testing;

namespace FastS3.Tests.ServerSide;

/// <summary>The four ways an object can be stored.</summary>
public enum EncryptionMode
{
    Plain,
    SseC,
    SseS3,
    SseKms,
}

/// <summary>
/// The encryption modes as requests ask for them (SSE-C keys by index of a <see cref="CustomerKeys"/>)
/// and as answers show them: echoes and ETag forms. Sources are written with a PUT or a multipart
/// upload (5 MiB parts and the rest; a small one as a single part).
/// </summary>
internal static class EncryptionModes
{
    public const int PartSize = 5 * 1024 * 1024;

    public static string[] WriteHeaders(EncryptionMode mode, CustomerKeys keys, int key, string? kmsKeyId = null) => mode switch
    {
        EncryptionMode.SseC => SseCHeaders(keys, "x-amz-", key),
        EncryptionMode.SseS3 => ["x-amz-server-side-encryption:AES256"],
        EncryptionMode.SseKms when kmsKeyId is not null => ["x-amz-server-side-encryption:aws:kms", $"x-amz-server-side-encryption-aws-kms-key-id:{kmsKeyId}"],
        EncryptionMode.SseKms => ["x-amz-server-side-encryption:aws:kms"],
        _ => [],
    };

    /// <summary>What a read (or an UploadPart, or a Complete) of an object or upload in <paramref name="mode"/> brings.</summary>
    public static string[] ReadHeaders(EncryptionMode mode, CustomerKeys keys, int key) => mode == EncryptionMode.SseC ? SseCHeaders(keys, "x-amz-", key) : [];

    public static string[] CopySourceHeaders(EncryptionMode mode, CustomerKeys keys, int key = 0) => mode == EncryptionMode.SseC ? SseCHeaders(keys, "x-amz-copy-source-", key) : [];

    public static string[] SseCHeaders(CustomerKeys keys, string prefix, int key = 0) =>
    [
        $"{prefix}server-side-encryption-customer-algorithm:AES256",
        $"{prefix}server-side-encryption-customer-key:{keys.Base64(key)}",
        $"{prefix}server-side-encryption-customer-key-MD5:{keys.Md5(key)}",
    ];

    public static void AssertEchoes(EncryptionMode mode, RawResponse response, string what)
    {
        response.Headers.TryGetValue("x-amz-server-side-encryption", out string? algorithm);
        Assert.True(algorithm == mode switch { EncryptionMode.SseS3 => "AES256", EncryptionMode.SseKms => "aws:kms", _ => null }, $"{what}: x-amz-server-side-encryption {algorithm}");
        Assert.True((mode == EncryptionMode.SseC) == response.Headers.ContainsKey("x-amz-server-side-encryption-customer-algorithm"), $"{what}: SSE-C echo");
    }

    /// <summary>A single-part object's (or a part's) ETag, quoted: the content MD5 for plain and SSE-S3, otherwise 32 other hex digits.</summary>
    public static void AssertETag(EncryptionMode mode, string etag, byte[] content, string what)
    {
        string md5 = $"\"{Convert.ToHexStringLower(MD5.HashData(content))}\"";
        Assert.Matches("^\"[0-9a-f]{32}\"$", etag);
        Assert.True((mode is EncryptionMode.Plain or EncryptionMode.SseS3) == (etag == md5), $"{what}: ETag {etag}, content MD5 {md5}");
    }

    /// <summary>Writes <paramref name="content"/> as <paramref name="key"/> of "bucket" in <paramref name="mode"/> (SSE-C: key 0); returns its ETag.</summary>
    public static async Task<string> WriteAsync(TestServer server, string key, byte[] content, EncryptionMode mode, CustomerKeys keys, bool multipart)
    {
        string[] headers = WriteHeaders(mode, keys, 0);
        if (!multipart)
        {
            RawResponse put = await SignedRequests.SendAsync(server, "PUT", $"/bucket/{key}", content, headers);
            Assert.True(put.Status == 200, put.Describe());
            return put.Headers["ETag"];
        }

        string upload = await RawMultipart.CreateAsync(server, "bucket", key, headers);
        var parts = new List<RawMultipart.Part>();
        for (int start = 0, number = 1; number == 1 || start < content.Length; start += PartSize, number++)
        {
            byte[] part = content[start..Math.Min(content.Length, start + PartSize)];
            parts.Add(new(number, await RawMultipart.UploadPartAsync(server, "bucket", key, upload, number, part, ReadHeaders(mode, keys, 0))));
        }

        RawResponse complete = await RawMultipart.CompleteAsync(server, "bucket", key, upload, parts, ReadHeaders(mode, keys, 0));
        Assert.True(complete.Status == 200, complete.Describe());
        string etag = complete.XmlValue("ETag");
        Assert.EndsWith($"-{parts.Count}\"", etag);
        return etag;
    }

    public static bool Contains(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
