using System.Text.Json;
using FastS3.Kms;

namespace FastS3.KmsApi;

/// <summary>
/// EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand and
/// ListKeyRotations. A rotation adds a key version: new objects are wrapped under it at once,
/// older objects keep opening under the version they were written with.
/// </summary>
internal sealed class RotationOperations(BuiltInKms kms, TimeProvider clock)
{
    /// <summary>AWS's limit on on-demand rotations of one key.</summary>
    public const int MaxOnDemandRotations = 10;

    /// <summary>The one automatic rotation period kept: the flag is stored, the period is not.</summary>
    private const int RotationPeriodDays = 365;

    public KmsError? SetRotation(KmsRequest request, bool enabled)
    {
        int? period = enabled ? request.Integer("RotationPeriodInDays", 90, 2560) : null;
        if (KeyNames.FindCustomerKey(kms, request, "KeyId", enabled ? "EnableKeyRotation" : "DisableKeyRotation", out KmsKey key) is { } error)
        {
            return error;
        }

        if (period is not (null or RotationPeriodDays))
        {
            return KmsErrors.Unsupported($"This server's KMS rotates keys every {RotationPeriodDays} days only; leave RotationPeriodInDays out.");
        }

        return RingChange.ApplyToKey(kms, key.Id, Enabled, current => current with { RotationEnabled = enabled });
    }

    public KmsError? Status(KmsRequest request, Utf8JsonWriter json)
    {
        if (KeyNames.FindById(kms, request, "KeyId", out KmsKey key) is { } error)
        {
            return error;
        }

        json.WriteBoolean("KeyRotationEnabled"u8, key.RotationEnabled);
        json.WriteString("KeyId"u8, kms.Arn(key));
        if (key.RotationEnabled)
        {
            json.WriteNumber("RotationPeriodInDays"u8, RotationPeriodDays);
        }

        return null;
    }

    /// <summary>A new key version now, for a customer managed key that is enabled.</summary>
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
            current => Enabled(current) ?? (current.Versions.Count > MaxOnDemandRotations
                ? new KmsError("LimitExceededException", $"{kms.Arn(current)} has been rotated on demand {MaxOnDemandRotations} times, the most AWS allows.")
                : null),
            current => BuiltInKms.Rotated(current, now));
        if (error is null)
        {
            json.WriteString("KeyId"u8, key.Id);
        }

        return error;
    }

    /// <summary>Every version after the first, oldest first: all made on demand.</summary>
    public KmsError? List(KmsRequest request, Utf8JsonWriter json)
    {
        if (KeyNames.FindById(kms, request, "KeyId", out KmsKey key) is { } error)
        {
            return error;
        }

        KeyVersion[] rotations = [.. key.Versions.Skip(1)];
        if (Page<KeyVersion>.Read(request, rotations, version => version.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), defaultLimit: 100, maxLimit: 1000, out Page<KeyVersion> page) is { } pageError)
        {
            return pageError;
        }

        json.WriteStartArray("Rotations"u8);
        foreach (KeyVersion version in page.InPage)
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, kms.Arn(key));
            KmsJson.WriteTime(json, "RotationDate"u8, version.Created);
            json.WriteString("RotationType"u8, "ON_DEMAND"u8);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        page.WriteEnd(json);
        return null;
    }

    /// <summary>AWS rotates, and changes the rotation of, only an enabled key.</summary>
    private KmsError? Enabled(KmsKey key) => key.Enabled ? null : KmsErrors.Disabled(kms.Arn(key));
}
