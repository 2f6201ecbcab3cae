using System.Security.Cryptography;

namespace FastS3.Crypto;

/// <summary>
/// The pinned slots one request's <see cref="DataKey"/>s live in: kept per connection, so taking a
/// key allocates nothing, and on the pinned heap, so the GC never leaves a copy that a wipe misses.
/// <see cref="WipeAll"/> ends every key still out when the request ends, whatever happened.
/// </summary>
public sealed class DataKeys
{
    /// <summary>The most one request holds at once: UploadPartCopy's upload key, part key, source key and source part key.</summary>
    public const int Capacity = 4;

    private readonly byte[] _slots = GC.AllocateArray<byte>(Capacity * ObjectKey.Size, pinned: true);
    private readonly int[] _generations = new int[Capacity];
    private int _taken;

    /// <summary>A zeroed key to draw, open or derive into.</summary>
    public DataKey Take()
    {
        for (int slot = 0; slot < Capacity; slot++)
        {
            if ((_taken & (1 << slot)) == 0)
            {
                _taken |= 1 << slot;
                return new DataKey(this, slot, _generations[slot]);
            }
        }

        throw new InvalidOperationException("A request holds more data keys than DataKeys.Capacity.");
    }

    /// <summary>Wipes every slot and invalidates every key handed out: a handle kept past its request reads nothing.</summary>
    public void WipeAll()
    {
        CryptographicOperations.ZeroMemory(_slots);
        for (int slot = 0; slot < Capacity; slot++)
        {
            _generations[slot]++;
        }

        _taken = 0;
    }

    internal Memory<byte> Slot(int slot, int generation)
        => generation == _generations[slot] ? _slots.AsMemory(slot * ObjectKey.Size, ObjectKey.Size) : throw new ObjectDisposedException(nameof(DataKey));

    internal void Return(int slot, int generation)
    {
        // A second Dispose of a copy of the handle must not free the slot a newer key holds.
        if (generation != _generations[slot])
        {
            return;
        }

        CryptographicOperations.ZeroMemory(_slots.AsSpan(slot * ObjectKey.Size, ObjectKey.Size));
        _generations[slot]++;
        _taken &= ~(1 << slot);
    }
}
