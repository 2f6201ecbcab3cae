using FastS3.Crypto;

namespace FastS3.Api;

/// <summary>
/// A new object's data key, to encrypt with, and the record field that keeps it sealed (seal
/// algorithm, IV, sealed key). <c>default</c> is a plain object. Disposing wipes the key.
/// </summary>
public readonly record struct NewDataKey(DataKey Key, byte[]? Field) : IDisposable
{
    public bool IsEmpty => Key.IsEmpty;

    public void Dispose() => Key.Dispose();
}
