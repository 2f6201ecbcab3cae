using System.Globalization;
using System.Text.Json;
using FastS3.Kms;

namespace FastS3.KmsApi;

/// <summary>
/// EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand and
/// ListKeyRotations. A rotation adds a key version: new objects are wrapped under it at once,
/// older objects keep opening under the version they were written with until the background
/// re-wrap moves them. Automatic rotations are made by <see cref="KeyRotator"/>.
/// </summary>
internal sealed class RotationOperations(BuiltInKms kms, TimeProvider clock)
{
    /// <summary>AWS's limit on on-demand rotations of one key (a quota that cannot be raised).</summary>
    public const int MaxOnDemandRotations = 25;

    /// <summary>
    /// EnableKeyRotation (the period given, or 365 days; counted from now when rotation was off, else
    /// from the same date as before) and DisableKeyRotation.
    /// </summary>
    public KmsError? SetRotation(KmsRequest request, bool enabled)
    {
        int period = (enabled ? request.Integer("RotationPeriodInDays", RotationSchedule.MinPeriodDays, RotationSchedule.MaxPeriodDays) : null) ?? RotationSchedule.DefaultPeriodDays;
        if (KeyNames.FindCustomerKey(kms, request, "KeyId", enabled ? "EnableKeyRotation" : "DisableKeyRotation", out KmsKey key) is { } error)
        {
            return error;
        }

        DateTimeOffset now = clock.GetUtcNow();
        return RingChange.ApplyToKey(kms, key.Id, Enabled, current => current with
        {
            Rotation = !enabled ? current.Rotation with { Enabled = false }
                : new AutoRotation(true, period, current.Rotation.Enabled ? current.Rotation.Since : now),
        });
    }

    public KmsError? Status(KmsRequest request, Utf8JsonWriter json)
    {
        if (KeyNames.FindById(kms, request, "KeyId", out KmsKey key) is { } error)
        {
            return error;
        }

        // No OnDemandRotationStartDate: an on-demand rotation is done before its call returns.
        json.WriteBoolean("KeyRotationEnabled"u8, key.RotatesAutomatically);
        json.WriteString("KeyId"u8, kms.Arn(key));
        if (RotationSchedule.Next(key) is { } next)
        {
            json.WriteNumber("RotationPeriodInDays"u8, key.Rotation.PeriodDays);
            KmsJson.WriteTime(json, "NextRotationDate"u8, next);
        }

        return null;
    }

    /// <summary>A new key version now, for a customer managed key that is enabled; the automatic schedule stays as it was.</summary>
    public KmsError? RotateOnDemand(KmsRequest request, Utf8JsonWriter json)
    {
        if (KeyNames.FindCustomerKey(kms, request, "KeyId", "RotateKeyOnDemand", out KmsKey key) is { } error)
        {
            return error;
        }

        DateTimeOffset now = clock.GetUtcNow();
        error = RingChange.ApplyToKey(
            kms,
            key.Id,
            current => Enabled(current) ?? (current.Versions.Count(version => version.Origin == VersionOrigin.OnDemand) >= MaxOnDemandRotations
                ? new KmsError("LimitExceededException", $"{kms.Arn(current)} has been rotated on demand {MaxOnDemandRotations} times, the most AWS allows.")
                : null),
            current => BuiltInKms.Rotated(current, VersionOrigin.OnDemand, now));
        if (error is null)
        {
            json.WriteString("KeyId"u8, key.Id);
        }

        return error;
    }

    /// <summary>Every version after the first, oldest first, each AUTOMATIC or ON_DEMAND.</summary>
    public KmsError? List(KmsRequest request, Utf8JsonWriter json)
    {
        if (KeyNames.FindById(kms, request, "KeyId", out KmsKey key) is { } error)
        {
            return error;
        }

        KeyVersion[] rotations = [.. key.Versions.Where(version => version.Origin != VersionOrigin.KeyCreated)];
        if (Page<KeyVersion>.Read(request, rotations, version => version.Number.ToString(CultureInfo.InvariantCulture), defaultLimit: 100, maxLimit: 1000, out Page<KeyVersion> page) is { } pageError)
        {
            return pageError;
        }

        json.WriteStartArray("Rotations"u8);
        foreach (KeyVersion version in page.InPage)
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, kms.Arn(key));
            KmsJson.WriteTime(json, "RotationDate"u8, version.Created);
            json.WriteString("RotationType"u8, version.Origin == VersionOrigin.Automatic ? "AUTOMATIC"u8 : "ON_DEMAND"u8);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        page.WriteEnd(json);
        return null;
    }

    /// <summary>AWS rotates, and changes the rotation of, only an enabled key.</summary>
    private KmsError? Enabled(KmsKey key) => key.Enabled ? null : KmsErrors.Disabled(kms.Arn(key));
}
