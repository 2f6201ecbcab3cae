using FastS3.Kms;

namespace FastS3.KmsApi;

/// <summary>
/// The key a request names, and the ARNs it is told back by. DescribeKey takes every form (key id,
/// key ARN, alias name, alias ARN); the operations that change a key, or list what one has, take
/// only a key id or key ARN, as AWS does. The SSE-S3 key is not found by any name.
/// </summary>
internal static class KeyNames
{
    /// <summary>AWS's bound on a KeyId or TargetKeyId member.</summary>
    public const int MaxLength = 2048;

    /// <summary>The ARN of <paramref name="resource"/> (<c>key/ID</c>, <c>alias/NAME</c>) in this server's region and account.</summary>
    public static string Arn(BuiltInKms kms, string resource) => kms.ArnPrefix + resource;

    /// <summary>The key <paramref name="member"/> names in any form; the request's first fault, or NotFoundException.</summary>
    public static KmsError? Find(BuiltInKms kms, KmsRequest request, string member, out KmsKey key)
    {
        string name = request.Required(member, MaxLength);
        key = null!;
        return request.Error ?? Resolve(kms, name, out key);
    }

    /// <summary>The key <paramref name="member"/> names by key id or key ARN.</summary>
    public static KmsError? FindById(BuiltInKms kms, KmsRequest request, string member, out KmsKey key)
    {
        string name = request.Required(member, MaxLength);
        key = null!;
        return request.Error ?? (IsAlias(name) ? KmsErrors.InvalidKeyId(name) : Resolve(kms, name, out key));
    }

    /// <summary>
    /// As <see cref="FindById"/>, for a change to the key: an AWS managed key belongs to the service
    /// that uses it, and AWS lets its account describe and list it but change nothing.
    /// </summary>
    public static KmsError? FindCustomerKey(BuiltInKms kms, KmsRequest request, string member, string operation, out KmsKey key)
        => FindById(kms, request, member, out key) ?? (key.Manager == KeyManager.Customer ? null : KmsErrors.AwsManaged(operation, kms.Arn(key)));

    public static bool IsAlias(string name)
        => name.StartsWith("alias/", StringComparison.Ordinal) || (name.StartsWith("arn:", StringComparison.Ordinal) && name.Contains(":alias/", StringComparison.Ordinal));

    private static KmsError? Resolve(BuiltInKms kms, string name, out KmsKey key)
    {
        key = kms.Resolve(name)!;
        if (key is not null)
        {
            return null;
        }

        string arn = name.StartsWith("arn:", StringComparison.Ordinal) ? name : Arn(kms, IsAlias(name) ? name : "key/" + name);
        return IsAlias(name) ? KmsErrors.AliasNotFound(arn) : KmsErrors.KeyNotFound(arn);
    }
}
