using System.Security.Cryptography;

namespace FastS3.Auth;

/// <summary>
/// SigV4 signing keys, derived once per (secret, date, region, service) and kept in a small
/// fixed-size table: deriving costs four HMACs, and every request of a day and region shares one.
/// </summary>
internal sealed class SigningKeyCache
{
    private const int Capacity = 16;

    private readonly Entry?[] _entries = new Entry?[Capacity];
    private readonly Lock _gate = new();
    private int _next;

    /// <summary>Writes the 32-byte signing key for <paramref name="secret"/> and the scope's date/region/service.</summary>
    public void GetKey(byte[] secret, ReadOnlySpan<byte> date, ReadOnlySpan<byte> region, ReadOnlySpan<byte> service, Span<byte> key)
    {
        lock (_gate)
        {
            foreach (Entry? entry in _entries)
            {
                if (entry is not null && ReferenceEquals(entry.Secret, secret) && entry.Matches(date, region, service))
                {
                    entry.Key.CopyTo(key);
                    return;
                }
            }
        }

        Derive(secret, date, region, service, key);
        var added = new Entry(secret, [.. date], [.. region], [.. service], key.ToArray());
        lock (_gate)
        {
            _entries[_next] = added;
            _next = (_next + 1) % Capacity;
        }
    }

    public static void Derive(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> date, ReadOnlySpan<byte> region, ReadOnlySpan<byte> service, Span<byte> key)
    {
        Span<byte> seed = stackalloc byte[4 + secret.Length];
        "AWS4"u8.CopyTo(seed);
        secret.CopyTo(seed[4..]);
        Span<byte> current = stackalloc byte[32];
        HMACSHA256.HashData(seed, date, current);
        HMACSHA256.HashData(current, region, current);
        HMACSHA256.HashData(current, service, current);
        HMACSHA256.HashData(current, "aws4_request"u8, key);
        CryptographicOperations.ZeroMemory(seed);
        CryptographicOperations.ZeroMemory(current);
    }

    private sealed record Entry(byte[] Secret, byte[] Date, byte[] Region, byte[] Service, byte[] Key)
    {
        public bool Matches(ReadOnlySpan<byte> date, ReadOnlySpan<byte> region, ReadOnlySpan<byte> service)
            => date.SequenceEqual(Date) && region.SequenceEqual(Region) && service.SequenceEqual(Service);
    }
}
