using System.Security.Cryptography;

namespace FastS3.Load.Client;

/// <summary>A random SSE-C customer key for one run, as the three request headers S3 expects.</summary>
internal static class SseCKey
{
    public static (string Name, string Value)[] NewHeaders()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        return
        [
            ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
            ("x-amz-server-side-encryption-customer-key", Convert.ToBase64String(key)),
            ("x-amz-server-side-encryption-customer-key-MD5", Convert.ToBase64String(MD5.HashData(key))),
        ];
    }
}
