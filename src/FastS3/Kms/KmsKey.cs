namespace FastS3.Kms;

/// <summary>What kind of key a <see cref="KmsKey"/> is.</summary>
public enum KeyManager : byte
{
    /// <summary>Made with CreateKey: listed, described, enabled and disabled by its owner.</summary>
    Customer,

    /// <summary>alias/aws/s3: made on first use, for SSE-KMS requests that name no key, as AWS does.</summary>
    Aws,

    /// <summary>The key SSE-S3 objects are under: the server's own, never listed or named by a request.</summary>
    Server,
}

/// <summary>
/// A key's automatic rotation: whether its owner turned it on, every how many days, and since when
/// (the schedule counts from then and from each automatic rotation; see <see cref="RotationSchedule"/>).
/// </summary>
public readonly record struct AutoRotation(bool Enabled, int PeriodDays, DateTimeOffset Since);

/// <summary>
/// A key of the key ring (immutable: a change makes a new one): its id, state and versions, the
/// newest of which wraps new objects. Older versions stay to open older objects until they are
/// re-wrapped.
/// </summary>
public sealed record KmsKey(
    string Id,
    KeyManager Manager,
    DateTimeOffset Created,
    string Description,
    bool Enabled,
    AutoRotation Rotation,
    IReadOnlyList<KeyVersion> Versions)
{
    public KeyVersion Current => Versions[^1];

    /// <summary>Whether the key gets a new version every period: when its owner asked, and always for an AWS managed key, as on AWS.</summary>
    public bool RotatesAutomatically => Rotation.Enabled || Manager == KeyManager.Aws;

    /// <summary>Version <paramref name="number"/>, or null when the ring has no such version.</summary>
    public KeyVersion? Version(int number)
    {
        // Versions are numbered 1, 2, … in order; a lookup by index, checked.
        return number >= 1 && number <= Versions.Count && Versions[number - 1].Number == number ? Versions[number - 1] : null;
    }
}
