using System.Security.Cryptography;
using System.Text;

namespace FastS3.Load.Signing;

/// <summary>
/// Credentials plus the derived SigV4 signing key, cached for the UTC day it belongs to: the four-HMAC chain
/// runs once a day, not once a request.
/// </summary>
internal sealed class SigningKey(string accessKey, string secretKey, string region)
{
    private sealed record DayKey(string Date, byte[] Key);

    private DayKey? _cached;

    public string AccessKey { get; } = accessKey;

    public string Region { get; } = region;

    public string Scope(string date) => $"{date}/{Region}/s3/aws4_request";

    public byte[] For(string date)
    {
        DayKey? cached = Volatile.Read(ref _cached);
        if (cached?.Date == date)
        {
            return cached.Key;
        }

        byte[] key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Region));
        key = HMACSHA256.HashData(key, "s3"u8);
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        Volatile.Write(ref _cached, new DayKey(date, key));
        return key;
    }
}
