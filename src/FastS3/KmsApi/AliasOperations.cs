using System.Text.Json;
using FastS3.Kms;

namespace FastS3.KmsApi;

/// <summary>CreateAlias, UpdateAlias, DeleteAlias and ListAliases: names for customer managed keys.</summary>
internal sealed class AliasOperations(BuiltInKms kms)
{
    /// <summary>AWS allows 256; the key ring stores a name in at most 255 bytes.</summary>
    public const int MaxAliasLength = 255;

    private const string Prefix = "alias/";

    private const string ReservedPrefix = "alias/aws/";

    private static readonly System.Buffers.SearchValues<char> AliasCharacters
        = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-");

    /// <summary>CreateAlias (a name not taken yet) and UpdateAlias (a name taken, pointed at another customer managed key).</summary>
    public KmsError? Set(KmsRequest request, bool create)
    {
        if (Name(request) is not { } alias)
        {
            return request.Error;
        }

        if (Target(request, create ? "CreateAlias" : "UpdateAlias", out KmsKey key) is { } error)
        {
            return error;
        }

        return RingChange.Apply(
            kms,
            ring => ring.Aliases.ContainsKey(alias) == create
                ? (create ? KmsErrors.AliasExists(KeyNames.Arn(kms, alias)) : KmsErrors.AliasNotFound(KeyNames.Arn(kms, alias)))
                : create && ring.Aliases.Count >= KeyRing.MaxAliases ? KmsErrors.TooManyAliases
                : ring.Find(key.Id) is null ? KmsErrors.KeyNotFound(kms.Arn(key)) : null,
            ring => ring.WithAlias(alias, key.Id));
    }

    public KmsError? Delete(KmsRequest request)
    {
        if (Name(request) is not { } alias)
        {
            return request.Error;
        }

        return RingChange.Apply(
            kms,
            ring => ring.Aliases.ContainsKey(alias) ? null : KmsErrors.AliasNotFound(KeyNames.Arn(kms, alias)),
            ring => ring.WithAlias(alias, null));
    }

    /// <summary>Every alias in name order, or only those of the key KeyId names.</summary>
    public KmsError? List(KmsRequest request, Utf8JsonWriter json)
    {
        KmsKey? only = null;
        if (request.Has("KeyId"))
        {
            if (KeyNames.FindById(kms, request, "KeyId", out KmsKey key) is { } error)
            {
                return error;
            }

            only = key;
        }

        KeyValuePair<string, string>[] aliases = [.. kms.Ring.Aliases.Where(alias => only is null || alias.Value == only.Id).OrderBy(alias => alias.Key, StringComparer.Ordinal)];
        if (Page<KeyValuePair<string, string>>.Read(request, aliases, alias => alias.Key, defaultLimit: 50, maxLimit: 100, out var page) is { } pageError)
        {
            return pageError;
        }

        json.WriteStartArray("Aliases"u8);
        foreach ((string name, string keyId) in page.InPage)
        {
            json.WriteStartObject();
            json.WriteString("AliasName"u8, name);
            json.WriteString("AliasArn"u8, KeyNames.Arn(kms, name));
            json.WriteString("TargetKeyId"u8, keyId);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        page.WriteEnd(json);
        return null;
    }

    /// <summary>The customer managed key TargetKeyId names by key id or key ARN (an alias is refused as AWS refuses it).</summary>
    private KmsError? Target(KmsRequest request, string operation, out KmsKey key)
    {
        key = null!;
        return KeyNames.IsAlias(request.Required("TargetKeyId", KeyNames.MaxLength))
            ? request.Error ?? KmsErrors.AliasPointsAtAlias
            : KeyNames.FindCustomerKey(kms, request, "TargetKeyId", operation, out key);
    }

    /// <summary>AliasName, held to AWS's rules: alias/ and a name of [A-Za-z0-9/_-], not under the reserved alias/aws/.</summary>
    private static string? Name(KmsRequest request)
    {
        string alias = request.Required("AliasName", MaxAliasLength);
        KmsError? error = request.Error
            ?? (!alias.StartsWith(Prefix, StringComparison.Ordinal) || alias.Length == Prefix.Length ? KmsErrors.AliasPrefix
            : alias.AsSpan(Prefix.Length).ContainsAnyExcept(AliasCharacters) ? KmsErrors.Validation("AliasName", "Member must satisfy regular expression pattern: ^alias/[a-zA-Z0-9/_-]+$")
            : alias.StartsWith(ReservedPrefix, StringComparison.Ordinal) ? KmsErrors.ReservedAlias
            : null);
        return error is null ? alias : request.Refuse<string>(error);
    }
}
