using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Kms;

/// <summary>
/// The KMS inside FastS3: the key ring, sealed under the master key and kept in the store as server
/// state (so in gateway mode it lives upstream and every node shares it), and the keys SSE-S3 and
/// SSE-KMS objects are wrapped under. Reads take the current ring without locking; a change is
/// applied to the ring as stored and written only over the very ring it was made from, so two
/// writers (requests, or nodes) never lose each other's change.
/// <code>
///   stored item "kms-key-ring": "FS3K" | u8 1 | u8 name length | master key name | sealed ring (see <see cref="KeyRingCipher"/>)
/// </code>
/// </summary>
public sealed class BuiltInKms
{
    public const string StateItem = "kms-key-ring";

    /// <summary>The account part of key ARNs: one account per server.</summary>
    public const string Account = "000000000000";

    /// <summary>The id of the key SSE-S3 objects are under (<see cref="KeyManager.Server"/>); no request can name it.</summary>
    public const string ServerKeyId = "fasts3-sse-s3";

    /// <summary>The alias of the AWS-managed key SSE-KMS uses when a request names none.</summary>
    public const string AwsS3Alias = "alias/aws/s3";

    private const int MaxAttempts = 16;

    private static ReadOnlySpan<byte> Magic => "FS3K"u8;

    private readonly Store _store;
    private readonly MasterKey _master;
    private readonly Lock _changes = new();

    /// <summary>Signalled when a key gets a new version: existing objects are to be re-wrapped under it.</summary>
    private readonly Channel<byte> _rotations = Channel.CreateBounded<byte>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile KeyRing _ring = KeyRing.Empty;
    private byte[]? _stored;

    private BuiltInKms(Store store, MasterKey master, string region)
    {
        _store = store;
        _master = master;
        Region = region;
        ArnPrefix = $"arn:aws:kms:{region}:{Account}:";
        ArnPrefixBytes = Encoding.ASCII.GetBytes(ArnPrefix);
    }

    public string Region { get; }

    /// <summary>"arn:aws:kms:REGION:ACCOUNT:", what every key and alias ARN of this server starts with.</summary>
    public string ArnPrefix { get; }

    /// <summary><see cref="ArnPrefix"/> as bytes, for answers written without a string.</summary>
    public byte[] ArnPrefixBytes { get; }

    /// <summary>The ring as last read or written.</summary>
    public KeyRing Ring => _ring;

    /// <summary>The key SSE-S3 objects are under.</summary>
    public KmsKey ServerKey => _ring.Find(ServerKeyId)!;

    /// <summary>
    /// Opens the ring in <paramref name="store"/> (making it, with the SSE-S3 key, on first start).
    /// A ring sealed under <paramref name="previous"/> (a master-key rotation in progress) is opened
    /// with it and sealed again under <paramref name="master"/>. An <see cref="InvalidDataException"/>
    /// when no given master key opens it.
    /// </summary>
    public static BuiltInKms Open(Store store, MasterKey master, MasterKey? previous, string region, Action<string> info)
    {
        var kms = new BuiltInKms(store, master, region);
        byte[]? stored = store.ReadState(StateItem);
        if (stored is not null)
        {
            (KeyRing ring, string sealedUnder) = Unseal(stored, master, previous);
            kms._ring = ring;
            kms._stored = stored;
            if (sealedUnder != master.Name)
            {
                kms.Update(ring => ring);
                info($"kms: key ring sealed again under master key {master.Name} (was {sealedUnder}); the previous master key is no longer needed");
            }
        }

        if (kms._ring.Find(ServerKeyId) is null)
        {
            kms.Update(ring => ring.Find(ServerKeyId) is null ? ring.With(NewKey(ServerKeyId, KeyManager.Server, "SSE-S3", DateTimeOffset.UtcNow)) : ring);
        }

        return kms;
    }

    /// <summary>The key ARN AWS would give <paramref name="key"/>.</summary>
    public string Arn(KmsKey key) => ArnPrefix + "key/" + key.Id;

    /// <summary>
    /// The key a request names: a key id, key ARN, alias name (alias/…) or alias ARN of this region
    /// and account; null when there is none. The SSE-S3 key is never one.
    /// </summary>
    public KmsKey? Resolve(string name)
    {
        KeyRing ring = _ring;
        if (name.StartsWith(ArnPrefix, StringComparison.Ordinal))
        {
            name = name[ArnPrefix.Length..];
            if (name.StartsWith("key/", StringComparison.Ordinal))
            {
                name = name["key/".Length..];
            }
            else if (!name.StartsWith("alias/", StringComparison.Ordinal))
            {
                return null;
            }
        }
        else if (name.StartsWith("arn:", StringComparison.Ordinal))
        {
            return null;
        }

        if (name == AwsS3Alias)
        {
            return AwsS3Key();
        }

        if (name.StartsWith("alias/", StringComparison.Ordinal))
        {
            name = ring.Aliases.GetValueOrDefault(name) ?? "";
        }

        return ring.Find(name) is { Manager: not KeyManager.Server } key ? key : null;
    }

    /// <summary>alias/aws/s3's key, made on first use as AWS makes it.</summary>
    public KmsKey AwsS3Key()
    {
        if (_ring.Aliases.TryGetValue(AwsS3Alias, out string? id) && _ring.Find(id) is { } existing)
        {
            return existing;
        }

        KeyRing ring = Update(ring => ring.Aliases.ContainsKey(AwsS3Alias) ? ring : WithNewKey(ring, KeyManager.Aws, "Default key that protects my S3 objects when no other key is defined", out KmsKey made).WithAlias(AwsS3Alias, made.Id));
        return ring.Find(ring.Aliases[AwsS3Alias])!;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the ring as stored and stores the result sealed, only
    /// over the ring it was made from (read again and applied again when another writer got there
    /// first). The change must be a pure function of the ring it is given. Returns the new ring.
    /// </summary>
    public KeyRing Update(Func<KeyRing, KeyRing> change)
    {
        lock (_changes)
        {
            for (int attempt = 0; attempt < MaxAttempts; attempt++)
            {
                KeyRing changed = change(_ring);
                byte[] sealedRing = Seal(changed);
                if (_store.TryReplaceState(StateItem, _stored, sealedRing))
                {
                    if (VersionCount(changed) > VersionCount(_ring))
                    {
                        _rotations.Writer.TryWrite(0);
                    }

                    _stored = sealedRing;
                    _ring = changed;
                    return changed;
                }

                // Another writer changed it: start again from what is stored now.
                _stored = _store.ReadState(StateItem);
                _ring = _stored is null ? KeyRing.Empty : Unseal(_stored, _master, null).Ring;
            }

            throw new IOException("the KMS key ring kept changing under this update");
        }
    }

    /// <summary>Waits until a key of the ring gets a new version (one that came while nobody waited counts).</summary>
    public ValueTask WaitForRotationAsync(CancellationToken cancellationToken)
        => new(_rotations.Reader.ReadAsync(cancellationToken).AsTask());

    private static int VersionCount(KeyRing ring) => ring.Keys.Sum(key => key.Versions.Count);

    /// <summary>A new customer key (random id, one version), added to <paramref name="ring"/>.</summary>
    public static KeyRing WithNewKey(KeyRing ring, KeyManager manager, string description, out KmsKey key)
    {
        if (ring.Keys.Count >= KeyRing.MaxKeys)
        {
            throw new InvalidOperationException($"the key ring holds {KeyRing.MaxKeys} keys, the most it may");
        }

        key = NewKey(Guid.NewGuid().ToString("D"), manager, description, DateTimeOffset.UtcNow);
        return ring.With(key);
    }

    /// <summary><paramref name="key"/> with a new newest version: new objects are wrapped under it from now on.</summary>
    public static KmsKey Rotated(KmsKey key, VersionOrigin origin, DateTimeOffset now)
        => key with { Versions = [.. key.Versions, KeyVersion.Generate(key.Versions.Count + 1, origin, now)] };

    private static KmsKey NewKey(string id, KeyManager manager, string description, DateTimeOffset now)
        => new(id, manager, now, description, Enabled: true, new AutoRotation(false, RotationSchedule.DefaultPeriodDays, now), [KeyVersion.Generate(1, VersionOrigin.KeyCreated, now)]);

    private byte[] Seal(KeyRing ring)
    {
        byte[] header = Header(_master.Name);
        byte[] serialized = ring.Serialize();
        try
        {
            return [.. header, .. KeyRingCipher.Seal(_master.Span, header, serialized)];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(serialized);
        }
    }

    private static (KeyRing Ring, string SealedUnder) Unseal(byte[] stored, MasterKey master, MasterKey? previous)
    {
        if (stored.Length < Magic.Length + 2 || !stored.AsSpan().StartsWith(Magic) || stored[Magic.Length] != 1 || stored.Length < Magic.Length + 2 + stored[Magic.Length + 1])
        {
            throw new InvalidDataException("the stored KMS key ring is not one this server reads");
        }

        int headerLength = Magic.Length + 2 + stored[Magic.Length + 1];
        string name = Encoding.ASCII.GetString(stored, Magic.Length + 2, stored[Magic.Length + 1]);
        MasterKey? key = name == master.Name ? master : name == previous?.Name ? previous : null;
        if (key is null)
        {
            throw new InvalidDataException($"the KMS key ring is sealed under master key {name}, which was not given (FASTS3_KMS_SECRET_KEY, or FASTS3_KMS_PREVIOUS_SECRET_KEY while rotating)");
        }

        byte[] serialized = GC.AllocateArray<byte>(stored.Length - headerLength - KeyRingCipher.Overhead, pinned: true);
        try
        {
            if (!KeyRingCipher.TryOpen(key.Span, stored.AsSpan(0, headerLength), stored.AsSpan(headerLength), serialized))
            {
                throw new InvalidDataException($"master key {name} does not open the KMS key ring: it is another key of that name, or the ring is damaged");
            }

            return (KeyRing.Parse(serialized), name);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(serialized);
        }
    }

    private static byte[] Header(string masterName)
    {
        var header = new byte[Magic.Length + 2 + masterName.Length];
        Magic.CopyTo(header);
        header[Magic.Length] = 1;
        header[Magic.Length + 1] = (byte)masterName.Length;
        Encoding.ASCII.GetBytes(masterName, header.AsSpan(Magic.Length + 2));
        return header;
    }
}
