namespace FastS3.Kms;

/// <summary>
/// When a key rotates by itself, as AWS KMS schedules it: a period (90 to 2560 days, 365 unless
/// asked otherwise) after rotation was enabled, then a period after each automatic rotation.
/// On-demand rotations leave the schedule alone; a disabled key is not rotated, and is rotated at
/// once when enabled again past its date. Pure: every date comes from the ring or the caller.
/// </summary>
public static class RotationSchedule
{
    public const int DefaultPeriodDays = 365;
    public const int MinPeriodDays = 90;
    public const int MaxPeriodDays = 2560;

    /// <summary>When <paramref name="key"/> is next rotated automatically; null when it is not.</summary>
    public static DateTimeOffset? Next(KmsKey key)
    {
        if (!key.RotatesAutomatically)
        {
            return null;
        }

        DateTimeOffset from = key.Rotation.Since;
        foreach (KeyVersion version in key.Versions)
        {
            if (version.Origin == VersionOrigin.Automatic && version.Created > from)
            {
                from = version.Created;
            }
        }

        return from.AddDays(key.Rotation.PeriodDays);
    }

    /// <summary>Whether <paramref name="key"/> is to get an automatic rotation at <paramref name="now"/>.</summary>
    public static bool IsDue(KmsKey key, DateTimeOffset now) => key.Enabled && Next(key) <= now;

    /// <summary>
    /// <paramref name="ring"/> with one new version, dated <paramref name="now"/>, for each key due
    /// (however many periods passed unseen): applied again to its own result it changes nothing, so
    /// processes that share the ring add one version per due date between them.
    /// </summary>
    public static KeyRing RotateDue(KeyRing ring, DateTimeOffset now)
    {
        KeyRing rotated = ring;
        foreach (KmsKey key in ring.Keys)
        {
            if (IsDue(key, now))
            {
                rotated = rotated.With(BuiltInKms.Rotated(key, VersionOrigin.Automatic, now));
            }
        }

        return rotated;
    }
}
