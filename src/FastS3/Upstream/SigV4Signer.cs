using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FastS3.Upstream;

/// <summary>
/// SigV4 header authentication for S3 requests. The caller hands over the canonical path and query
/// (already URI-encoded, as sent) and every header to sign; the derived signing key is kept for the
/// day it belongs to, so a request costs two hashes and one HMAC.
/// </summary>
internal sealed class SigV4Signer(string accessKey, string secretKey, string region)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private sealed record DayKey(string Date, byte[] Key);

    // Replaced whole when the date changes: a reader sees either the old day or the new one.
    private DayKey? _dayKey;

    public static string AmzDate(DateTime utc) => utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string PayloadHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>The Authorization value. <paramref name="headers"/>: lower-case names, sorted, host among them.</summary>
    public string Authorization(string method, string canonicalPath, string canonicalQuery,
        IReadOnlyList<(string Name, string Value)> headers, string payloadHash, string amzDate)
    {
        var canonical = new StringBuilder(512);
        canonical.Append(method).Append('\n').Append(canonicalPath).Append('\n').Append(canonicalQuery).Append('\n');
        var signedHeaders = new StringBuilder(128);
        foreach ((string name, string value) in headers)
        {
            canonical.Append(name).Append(':').Append(CanonicalValue(value)).Append('\n');
            signedHeaders.Append(signedHeaders.Length == 0 ? "" : ";").Append(name);
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);
        string date = amzDate[..8];
        string scope = $"{date}/{region}/s3/aws4_request";
        string stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{PayloadHash(Encoding.UTF8.GetBytes(canonical.ToString()))}";
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData(SigningKey(date), Encoding.UTF8.GetBytes(stringToSign)));
        return $"{Algorithm} Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    private byte[] SigningKey(string date)
    {
        DayKey? current = _dayKey;
        if (current?.Date == date)
        {
            return current.Key;
        }

        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(date));
        foreach (string part in (string[])[region, "s3", "aws4_request"])
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        _dayKey = new DayKey(date, key);
        return key;
    }

    /// <summary>Trimmed, with each run of spaces inside collapsed to one, as SigV4 canonicalises values.</summary>
    private static string CanonicalValue(string value)
    {
        value = value.Trim();
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var collapsed = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            if (c != ' ' || collapsed[^1] != ' ')
            {
                collapsed.Append(c);
            }
        }

        return collapsed.ToString();
    }
}
