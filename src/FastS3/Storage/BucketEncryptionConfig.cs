using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace FastS3.Storage;

/// <summary>
/// A bucket's default encryption (PutBucketEncryption) as the bucket keeps it. The storage layer
/// does not interpret <see cref="Algorithm"/>: it is the S3 layer's ServerSideAlgorithm as a byte,
/// never 0 (no configuration is no record). Stored as a record of the bucket's own:
/// <code>
///   version 1 (1) ‖ algorithm (1) ‖ flags (1: bit 0 BucketKeyEnabled) ‖ KMS key id (UTF-8, the rest; empty for none)
/// </code>
/// </summary>
public sealed record BucketEncryptionConfig(byte Algorithm, string? KmsKeyId, bool BucketKeyEnabled)
{
    /// <summary>The longest KMS key id kept, in UTF-8 bytes: a key ARN or alias ARN is well under it (AWS allows 2048 characters).</summary>
    public const int MaxKmsKeyIdLength = 2048;

    private const byte Version = 1;
    private const int HeaderLength = 3;
    private const byte BucketKeyFlag = 1;

    public byte[] Encode()
    {
        ArgumentOutOfRangeException.ThrowIfZero(Algorithm);
        byte[] keyId = Encoding.UTF8.GetBytes(KmsKeyId ?? "");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyId.Length, MaxKmsKeyIdLength, nameof(KmsKeyId));
        byte[] stored = new byte[HeaderLength + keyId.Length];
        stored[0] = Version;
        stored[1] = Algorithm;
        stored[2] = BucketKeyEnabled ? BucketKeyFlag : (byte)0;
        keyId.CopyTo(stored, HeaderLength);
        return stored;
    }

    /// <summary>False for a record not of this form (a later version, damage): the bucket then has no default of its own.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> stored, [NotNullWhen(true)] out BucketEncryptionConfig? config)
    {
        config = null;
        if (stored.Length < HeaderLength || stored.Length > HeaderLength + MaxKmsKeyIdLength || stored[0] != Version || stored[1] == 0
            || (stored[2] & ~BucketKeyFlag) != 0 || !Utf8.IsValid(stored[HeaderLength..]))
        {
            return false;
        }

        ReadOnlySpan<byte> keyId = stored[HeaderLength..];
        config = new BucketEncryptionConfig(stored[1], keyId.IsEmpty ? null : Encoding.UTF8.GetString(keyId), (stored[2] & BucketKeyFlag) != 0);
        return true;
    }
}
