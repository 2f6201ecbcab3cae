using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace FastS3.Kms;

/// <summary>
/// The KMS master key: a name and 32 bytes, written <c>NAME:BASE64</c> as MinIO's
/// MINIO_KMS_SECRET_KEY is. It seals the key ring and nothing else; losing it loses every SSE-S3
/// and SSE-KMS object. The bytes live on the pinned heap and are wiped on dispose; ToString never
/// shows them.
/// </summary>
public sealed class MasterKey : IDisposable
{
    public const int Size = 32;
    public const int MaxNameLength = 64;

    private readonly byte[] _key = GC.AllocateArray<byte>(Size, pinned: true);

    private MasterKey(string name) => Name = name;

    /// <summary>Names the key in the sealed ring's header, so the right one of two (during a rotation) opens it.</summary>
    public string Name { get; }

    public ReadOnlySpan<byte> Span => _key;

    /// <summary>A new random key called <paramref name="name"/>.</summary>
    public static MasterKey Generate(string name)
    {
        var key = new MasterKey(CheckName(name));
        RandomNumberGenerator.Fill(key._key);
        return key;
    }

    /// <summary>Reads <c>NAME:BASE64-OF-32-BYTES</c>; a <see cref="FormatException"/> that never quotes the secret otherwise.</summary>
    public static MasterKey Parse(string text)
    {
        text = text.Trim();
        int colon = text.IndexOf(':');
        if (colon <= 0)
        {
            throw new FormatException("a KMS master key is written NAME:BASE64 (32 bytes), e.g. my-key:" + new string('A', 43) + "=");
        }

        var key = new MasterKey(CheckName(text[..colon]));
        byte[] encoded = Encoding.ASCII.GetBytes(text[(colon + 1)..]);
        Span<byte> decoded = stackalloc byte[48];
        try
        {
            if (encoded.Length > 64 || Base64.DecodeFromUtf8(encoded, decoded, out _, out int length) != System.Buffers.OperationStatus.Done || length != Size)
            {
                key.Dispose();
                throw new FormatException($"the KMS master key {key.Name} is not 32 bytes of base64");
            }

            decoded[..Size].CopyTo(key._key);
            return key;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
            CryptographicOperations.ZeroMemory(encoded);
        }
    }

    /// <summary>The <c>NAME:BASE64</c> form, for the key file written on first start.</summary>
    public string Export() => Name + ":" + Convert.ToBase64String(_key);

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);

    public override string ToString() => $"MasterKey {{ Name = {Name} }}";

    private static string CheckName(string name)
        => name.Length is > 0 and <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? name
            : throw new FormatException($"a KMS master key name is 1–{MaxNameLength} of [A-Za-z0-9._-]");
}
