using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using FastS3.Crypto;

namespace FastS3.Kms;

/// <summary>How a key version came to be, as ListKeyRotations tells it (the first is no rotation).</summary>
public enum VersionOrigin : byte
{
    KeyCreated,
    Automatic,
    OnDemand,
}

/// <summary>
/// One version of a KMS key: its number, how and when it was made, its 32 bytes (pinned, never leave the
/// process but sealed in the key ring) and the bucket keys derived from it so far, kept so a read
/// or write costs no derivation after a bucket's first.
/// </summary>
public sealed class KeyVersion
{
    /// <summary>Bucket keys kept per version before the cache starts again (a bound against names made up to grow it).</summary>
    private const int MaxCachedBuckets = 4096;

    private readonly byte[] _material;
    private readonly ConcurrentDictionary<string, byte[]> _bucketKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _bucketKeysBySpan;

    public KeyVersion(int number, VersionOrigin origin, DateTimeOffset created, ReadOnlySpan<byte> material)
    {
        ObjectKey.CheckLength(material.Length, ObjectKey.Size, nameof(material));
        Number = number;
        Origin = origin;
        Created = created;
        _material = GC.AllocateArray<byte>(ObjectKey.Size, pinned: true);
        material.CopyTo(_material);
        _bucketKeysBySpan = _bucketKeys.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Number { get; }

    public VersionOrigin Origin { get; }

    public DateTimeOffset Created { get; }

    internal ReadOnlySpan<byte> Material => _material;

    public static KeyVersion Generate(int number, VersionOrigin origin, DateTimeOffset created)
    {
        Span<byte> material = stackalloc byte[ObjectKey.Size];
        RandomNumberGenerator.Fill(material);
        var version = new KeyVersion(number, origin, created, material);
        CryptographicOperations.ZeroMemory(material);
        return version;
    }

    /// <summary>
    /// The bucket key of <paramref name="bucket"/> (a valid bucket name, ASCII) under this version
    /// (see <see cref="BucketKey"/>); valid while the version lives.
    /// </summary>
    public ReadOnlySpan<byte> BucketKeyFor(ReadOnlySpan<byte> bucket)
    {
        Span<char> name = stackalloc char[bucket.Length];
        Encoding.ASCII.GetChars(bucket, name);
        return _bucketKeysBySpan.TryGetValue(name, out byte[]? cached) ? cached : Derive(bucket);
    }

    // Apart from BucketKeyFor so the lookup stays small and allocation-free.
    private byte[] Derive(ReadOnlySpan<byte> bucket)
    {
        byte[] derived = GC.AllocateArray<byte>(ObjectKey.Size, pinned: true);
        BucketKey.Derive(_material, bucket, derived);
        if (_bucketKeys.Count >= MaxCachedBuckets)
        {
            _bucketKeys.Clear();
        }

        return _bucketKeys.GetOrAdd(Encoding.ASCII.GetString(bucket), derived);
    }
}
