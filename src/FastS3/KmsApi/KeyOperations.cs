using System.Text.Json;
using FastS3.Kms;

namespace FastS3.KmsApi;

/// <summary>CreateKey, DescribeKey, ListKeys, EnableKey and DisableKey.</summary>
internal sealed class KeyOperations(BuiltInKms kms)
{
    public const int MaxDescriptionLength = 8192;

    /// <summary>AWS's bound on a key policy; one is accepted and not kept, as only the root user exists.</summary>
    public const int MaxPolicyLength = 32768;

    private static readonly string[] KeyUsages = ["SIGN_VERIFY", "ENCRYPT_DECRYPT", "GENERATE_VERIFY_MAC", "KEY_AGREEMENT"];

    private static readonly string[] KeySpecs =
    [
        "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
        "SYMMETRIC_DEFAULT", "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87",
    ];

    private static readonly string[] Origins = ["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"];

    public KmsError? Create(KmsRequest request, Utf8JsonWriter json)
    {
        string description = request.String("Description", MaxDescriptionLength) ?? "";
        request.String("Policy", MaxPolicyLength);
        request.Boolean("BypassPolicyLockoutSafetyCheck");
        string usage = request.Enum("KeyUsage", KeyUsages) ?? "ENCRYPT_DECRYPT";
        string? spec = request.Enum("KeySpec", KeySpecs);
        string? masterKeySpec = request.Enum("CustomerMasterKeySpec", KeySpecs);
        string origin = request.Enum("Origin", Origins) ?? "AWS_KMS";
        bool multiRegion = request.Boolean("MultiRegion") ?? false;
        if (request.Error is { } invalid)
        {
            return invalid;
        }

        if (spec is not null && masterKeySpec is not null)
        {
            return new KmsError("ValidationException", "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
        }

        if (usage != "ENCRYPT_DECRYPT" || (spec ?? masterKeySpec ?? "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT" || origin != "AWS_KMS" || multiRegion
            || request.Has("CustomKeyStoreId") || request.Has("XksKeyId"))
        {
            return KmsErrors.OnlySymmetric;
        }

        if (request.Has("Tags"))
        {
            return KmsErrors.Unsupported("This server's KMS keeps no tags; create the key without them.");
        }

        KmsKey made = null!;
        KmsError? error = RingChange.Apply(
            kms,
            ring => ring.Keys.Count >= KeyRing.MaxKeys ? KmsErrors.TooManyKeys : null,
            ring => BuiltInKms.WithNewKey(ring, KeyManager.Customer, description, out made));
        if (error is null)
        {
            KmsJson.WriteKeyMetadata(json, kms, made);
        }

        return error;
    }

    public KmsError? Describe(KmsRequest request, Utf8JsonWriter json)
    {
        if (KeyNames.Find(kms, request, "KeyId", out KmsKey key) is { } error)
        {
            return error;
        }

        KmsJson.WriteKeyMetadata(json, kms, key);
        return null;
    }

    /// <summary>Every key but the SSE-S3 key, in the order they were made.</summary>
    public KmsError? List(KmsRequest request, Utf8JsonWriter json)
    {
        KmsKey[] keys = [.. kms.Ring.Keys.Where(key => key.Manager != KeyManager.Server)];
        if (Page<KmsKey>.Read(request, keys, key => key.Id, defaultLimit: 100, maxLimit: 1000, out Page<KmsKey> page) is { } error)
        {
            return error;
        }

        json.WriteStartArray("Keys"u8);
        foreach (KmsKey key in page.InPage)
        {
            json.WriteStartObject();
            json.WriteString("KeyId"u8, key.Id);
            json.WriteString("KeyArn"u8, kms.Arn(key));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        page.WriteEnd(json);
        return null;
    }

    /// <summary>EnableKey and DisableKey: objects under a disabled key can be neither written nor read until it is enabled again.</summary>
    public KmsError? SetEnabled(KmsRequest request, bool enabled)
    {
        if (KeyNames.FindCustomerKey(kms, request, "KeyId", enabled ? "EnableKey" : "DisableKey", out KmsKey key) is { } error)
        {
            return error;
        }

        return key.Enabled == enabled ? null : RingChange.ApplyToKey(kms, key.Id, _ => null, current => current with { Enabled = enabled });
    }
}
