using FastS3.Kms;

namespace FastS3.KmsApi;

/// <summary>A change to the key ring that a check must allow, so a refused request writes nothing and a raced one is refused.</summary>
internal static class RingChange
{
    /// <summary>
    /// Applies <paramref name="change"/> when <paramref name="check"/> finds nothing against it:
    /// first on the ring as last read, then again on the ring as stored, which another request (or
    /// node) may have changed since. Both must be pure functions of the ring they are given.
    /// </summary>
    public static KmsError? Apply(BuiltInKms kms, Func<KeyRing, KmsError?> check, Func<KeyRing, KeyRing> change)
    {
        if (check(kms.Ring) is { } error)
        {
            return error;
        }

        KmsError? raced = null;
        kms.Update(ring => (raced = check(ring)) is null ? change(ring) : ring);
        return raced;
    }

    /// <summary>Changes the key <paramref name="id"/> as the ring holds it when the change is made (so no other change to it is lost).</summary>
    public static KmsError? ApplyToKey(BuiltInKms kms, string id, Func<KmsKey, KmsError?> check, Func<KmsKey, KmsKey> change)
        => Apply(
            kms,
            ring => ring.Find(id) is { } key ? check(key) : KmsErrors.KeyNotFound(KeyNames.Arn(kms, "key/" + id)),
            ring => ring.With(change(ring.Find(id)!)));
}
