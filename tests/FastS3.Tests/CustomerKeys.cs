using System.Security.Cryptography;
using Amazon.S3;

namespace FastS3.Tests;

/// <summary>A few random SSE-C customer keys, named by index, and how SDK requests carry them.</summary>
internal sealed class CustomerKeys(int count)
{
    private readonly byte[][] _keys = [.. Enumerable.Range(0, count).Select(_ => RandomNumberGenerator.GetBytes(32))];

    public int Count => _keys.Length;

    public string Base64(int index) => Convert.ToBase64String(_keys[index]);

    public string Md5(int index) => Convert.ToBase64String(MD5.HashData(_keys[index]));

    /// <summary>Hands SSE-C's method and key to <paramref name="set"/> when <paramref name="index"/> names a key (null: none).</summary>
    public void Set(int? index, Action<ServerSideEncryptionCustomerMethod, string> set)
    {
        if (index is int key)
        {
            set(ServerSideEncryptionCustomerMethod.AES256, Base64(key));
        }
    }
}
