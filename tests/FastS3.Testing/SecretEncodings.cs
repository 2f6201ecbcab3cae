using System.Buffers.Text;
using System.Text;

namespace FastS3.Testing;

/// <summary>The ways a secret's bytes can be written down in a server's memory, its files or its log.</summary>
public static class SecretEncodings
{
    /// <summary>
    /// Every encoding a leak could take, by name: the raw bytes; base64, standard and URL-safe, and hex,
    /// lower and upper case, each as ASCII (UTF-8) and, had it become a .NET string, as UTF-16LE.
    /// Base64 is unpadded, so that a padded copy is found too; encodings that coincide (base64 with
    /// neither '+' nor '/' is its URL-safe form) are given once, under both names.
    /// </summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Of(byte[] value)
    {
        (string Name, string Text)[] texts =
        [
            ("base64", Convert.ToBase64String(value).TrimEnd('=')),
            ("base64url", Base64Url.EncodeToString(value)),
            ("hex", Convert.ToHexStringLower(value)),
            ("HEX", Convert.ToHexString(value)),
        ];
        IEnumerable<(string Name, byte[] Bytes)> all =
        [
            ("raw", value),
            .. texts.Select(t => (t.Name, Encoding.ASCII.GetBytes(t.Text))),
            .. texts.Select(t => ($"{t.Name} as UTF-16", Encoding.Unicode.GetBytes(t.Text))),
        ];
        return all
            .GroupBy(e => Convert.ToHexString(e.Bytes))
            .Select(same => (string.Join(" = ", same.Select(e => e.Name)), same.First().Bytes));
    }
}
