using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FastS3.Load.Signing;

/// <summary>The parts of AWS Signature Version 4 shared by header and presigned signing.</summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string EmptyPayloadSha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static string AmzDate(DateTime utc) => utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Canonical request: headers are (lower-case name, trimmed value) pairs, already sorted by name.</summary>
    public static string CanonicalRequest(string method, string path, string query, IReadOnlyList<(string Name, string Value)> headers, string signedHeaders, string payloadHash)
    {
        var builder = new StringBuilder(256);
        builder.Append(method).Append('\n').Append(path).Append('\n').Append(query).Append('\n');
        foreach ((string name, string value) in headers)
        {
            builder.Append(name).Append(':').Append(value).Append('\n');
        }

        return builder.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash).ToString();
    }

    /// <summary>
    /// Hex signature of a canonical request made at <paramref name="amzDate"/>, hashed in UTF-8 as
    /// SigV4 has it, or in the <paramref name="encoding"/> a raw client writes its header bytes in.
    /// </summary>
    public static string Signature(SigningKey key, string amzDate, string canonicalRequest, Encoding? encoding = null)
    {
        string date = amzDate[..8];
        Span<byte> digest = stackalloc byte[32];
        Sha256(canonicalRequest, encoding ?? Encoding.UTF8, digest);
        string stringToSign = $"{Algorithm}\n{amzDate}\n{key.Scope(date)}\n{Convert.ToHexStringLower(digest)}";

        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(stringToSign.Length));
        int length = Encoding.UTF8.GetBytes(stringToSign, rented);
        HMACSHA256.HashData(key.For(date), rented.AsSpan(0, length), digest);
        ArrayPool<byte>.Shared.Return(rented);
        return Convert.ToHexStringLower(digest);
    }

    public static string SignedHeaderList(IReadOnlyList<(string Name, string Value)> headers) => string.Join(';', headers.Select(h => h.Name));

    private static void Sha256(string text, Encoding encoding, Span<byte> digest)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(encoding.GetMaxByteCount(text.Length));
        int length = encoding.GetBytes(text, rented);
        SHA256.HashData(rented.AsSpan(0, length), digest);
        ArrayPool<byte>.Shared.Return(rented);
    }
}
