using System.Text;

namespace FastS3.Auth;

/// <summary>The access keys the server accepts and their secrets (today: the root pair).</summary>
public sealed class AccessKeys
{
    private readonly byte[] _accessKey;
    private readonly byte[] _secret;

    public AccessKeys(string accessKey, string secretKey)
    {
        RootAccessKey = accessKey;
        _accessKey = Encoding.UTF8.GetBytes(accessKey);
        _secret = Encoding.UTF8.GetBytes(secretKey);
    }

    public string RootAccessKey { get; }

    /// <summary>The secret for <paramref name="accessKey"/>; the same array every time, so it can key caches.</summary>
    public bool TryGetSecret(ReadOnlySpan<byte> accessKey, out byte[] secret)
    {
        secret = _secret;
        return accessKey.SequenceEqual(_accessKey);
    }
}
