namespace FastS3.Crypto;

/// <summary>
/// The AES key of an object's (or a part's) data, 32 bytes in a pinned slot of the request's
/// <see cref="DataKeys"/>. It travels by value as a handle, so the bytes themselves are never
/// copied; disposing wipes the slot and gives it back. <c>default</c> is no key (a plain object).
/// Named apart from S3's object keys, which are names.
/// </summary>
public readonly struct DataKey : IDisposable
{
    private readonly DataKeys? _keys;
    private readonly int _slot;
    private readonly int _generation;

    internal DataKey(DataKeys keys, int slot, int generation)
    {
        _keys = keys;
        _slot = slot;
        _generation = generation;
    }

    public bool IsEmpty => _keys is null;

    public ReadOnlySpan<byte> Span => Memory.Span;

    /// <summary>For readers that keep the key across awaits; valid until the key is disposed.</summary>
    public ReadOnlyMemory<byte> Memory => _keys is null ? default : _keys.Slot(_slot, _generation);

    /// <summary>Where the key is drawn, opened or derived into.</summary>
    internal Span<byte> Writable => _keys is null ? default : _keys.Slot(_slot, _generation).Span;

    public void Dispose() => _keys?.Return(_slot, _generation);
}
