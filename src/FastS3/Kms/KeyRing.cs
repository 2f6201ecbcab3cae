using System.Buffers.Binary;
using System.Text;
using FastS3.Buffers;
using FastS3.Crypto;

namespace FastS3.Kms;

/// <summary>
/// The KMS's keys and aliases at one moment (immutable: a change makes a new ring, swapped in whole,
/// so readers never lock). Its serialized form (docs/encryption-format.md §13.1) is only ever stored
/// sealed under the master key:
/// <code>
///   u8 format = 2 | u16 key count | keys | u16 alias count | aliases          (integers big-endian)
///   key:   u8 id length | id | u8 manager | u8 flags (1 enabled, 2 rotation) | i64 created ticks
///          | u16 rotation period (days) | i64 rotation since ticks
///          | u16 description length | description (UTF-8) | u16 version count | versions
///   version: u32 number | u8 origin | i64 created ticks | 32-byte key
///   alias: u8 name length | name | u8 id length | id
/// </code>
/// Format 1 (before automatic rotation) is still read: it lacks the two rotation fields and the
/// origin, read as 365 days since the key's creation, and "on demand" for every version but the first.
/// </summary>
public sealed class KeyRing
{
    public const byte Format = 2;

    /// <summary>The format rings had before automatic rotation, still read.</summary>
    public const byte FormatWithoutRotation = 1;

    public const int MaxKeys = 1000;
    public const int MaxAliases = 1000;

    private readonly Dictionary<string, KmsKey> _byId;
    private readonly Dictionary<string, KmsKey>.AlternateLookup<ReadOnlySpan<char>> _byIdSpan;

    public KeyRing(IReadOnlyList<KmsKey> keys, IReadOnlyDictionary<string, string> aliases)
    {
        Keys = keys;
        Aliases = aliases;
        _byId = keys.ToDictionary(key => key.Id, StringComparer.Ordinal);
        _byIdSpan = _byId.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public static KeyRing Empty { get; } = new([], new Dictionary<string, string>(StringComparer.Ordinal));

    /// <summary>Every key, in the order they were made.</summary>
    public IReadOnlyList<KmsKey> Keys { get; }

    /// <summary>Alias name (<c>alias/…</c>) → key id.</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; }

    public KmsKey? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The key whose id is <paramref name="id"/> (ASCII, as a record stores it), without allocating.</summary>
    public KmsKey? Find(ReadOnlySpan<byte> id)
    {
        if (id.IsEmpty || id.Length > 64)
        {
            return null;
        }

        Span<char> chars = stackalloc char[id.Length];
        return Encoding.ASCII.GetChars(id, chars) == id.Length && _byIdSpan.TryGetValue(chars, out KmsKey? key) ? key : null;
    }

    /// <summary>This ring with <paramref name="key"/> added, or in place of the key with its id.</summary>
    public KeyRing With(KmsKey key)
    {
        var keys = Keys.ToList();
        int at = keys.FindIndex(existing => existing.Id == key.Id);
        if (at >= 0)
        {
            keys[at] = key;
        }
        else
        {
            keys.Add(key);
        }

        return new KeyRing(keys, Aliases);
    }

    /// <summary>This ring with <paramref name="alias"/> pointing at <paramref name="keyId"/>, or removed when it is null.</summary>
    public KeyRing WithAlias(string alias, string? keyId)
    {
        var aliases = new Dictionary<string, string>(Aliases, StringComparer.Ordinal);
        if (keyId is null)
        {
            aliases.Remove(alias);
        }
        else
        {
            aliases[alias] = keyId;
        }

        return new KeyRing(Keys, aliases);
    }

    /// <summary>The serialized ring, key bytes included: the caller seals it and wipes it.</summary>
    public byte[] Serialize()
    {
        // Pinned and wiped on return: it holds every key's bytes.
        var buffer = new ScratchBuffer(1024, wipe: true);
        try
        {
            buffer.Reserve(1)[0] = Format;
            BinaryPrimitives.WriteUInt16BigEndian(buffer.Reserve(2), (ushort)Keys.Count);
            foreach (KmsKey key in Keys)
            {
                WriteShort(ref buffer, key.Id);
                Span<byte> head = buffer.Reserve(20);
                head[0] = (byte)key.Manager;
                head[1] = (byte)((key.Enabled ? 1 : 0) | (key.Rotation.Enabled ? 2 : 0));
                BinaryPrimitives.WriteInt64BigEndian(head[2..], key.Created.UtcTicks);
                BinaryPrimitives.WriteUInt16BigEndian(head[10..], (ushort)key.Rotation.PeriodDays);
                BinaryPrimitives.WriteInt64BigEndian(head[12..], key.Rotation.Since.UtcTicks);
                byte[] description = Encoding.UTF8.GetBytes(key.Description);
                BinaryPrimitives.WriteUInt16BigEndian(buffer.Reserve(2), (ushort)description.Length);
                description.CopyTo(buffer.Reserve(description.Length));
                BinaryPrimitives.WriteUInt16BigEndian(buffer.Reserve(2), (ushort)key.Versions.Count);
                foreach (KeyVersion version in key.Versions)
                {
                    Span<byte> entry = buffer.Reserve(4 + 1 + 8 + ObjectKey.Size);
                    BinaryPrimitives.WriteUInt32BigEndian(entry, (uint)version.Number);
                    entry[4] = (byte)version.Origin;
                    BinaryPrimitives.WriteInt64BigEndian(entry[5..], version.Created.UtcTicks);
                    version.Material.CopyTo(entry[13..]);
                }
            }

            BinaryPrimitives.WriteUInt16BigEndian(buffer.Reserve(2), (ushort)Aliases.Count);
            foreach ((string alias, string id) in Aliases.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                WriteShort(ref buffer, alias);
                WriteShort(ref buffer, id);
            }

            return buffer.Written.ToArray();
        }
        finally
        {
            buffer.Dispose();
        }
    }

    /// <summary>Reads a serialized ring; a <see cref="InvalidDataException"/> when it is not one.</summary>
    public static KeyRing Parse(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        byte format = reader.Byte();
        if (format is not (Format or FormatWithoutRotation))
        {
            throw new InvalidDataException("the KMS key ring has a format this server does not read");
        }

        int keyCount = reader.UInt16();
        var keys = new List<KmsKey>(keyCount);
        for (int i = 0; i < keyCount; i++)
        {
            string id = reader.ShortString();
            var manager = (KeyManager)reader.Byte();
            byte flags = reader.Byte();
            var created = new DateTimeOffset(reader.Int64(), TimeSpan.Zero);
            var rotation = format == Format
                ? new AutoRotation((flags & 2) != 0, reader.UInt16(), new DateTimeOffset(reader.Int64(), TimeSpan.Zero))
                : new AutoRotation((flags & 2) != 0, RotationSchedule.DefaultPeriodDays, created);
            string description = Encoding.UTF8.GetString(reader.Bytes(reader.UInt16()));
            int versionCount = reader.UInt16();
            var versions = new List<KeyVersion>(versionCount);
            for (int v = 0; v < versionCount; v++)
            {
                int number = (int)reader.UInt32();
                var origin = format == Format ? (VersionOrigin)reader.Byte() : number == 1 ? VersionOrigin.KeyCreated : VersionOrigin.OnDemand;
                var versionCreated = new DateTimeOffset(reader.Int64(), TimeSpan.Zero);
                versions.Add(new KeyVersion(number, origin, versionCreated, reader.Bytes(ObjectKey.Size)));
            }

            if (versions.Count == 0 || manager > KeyManager.Server || rotation.PeriodDays == 0 || versions.Any(version => version.Origin > VersionOrigin.OnDemand))
            {
                throw new InvalidDataException("the KMS key ring holds a key that is not one (no version, or an unknown kind)");
            }

            keys.Add(new KmsKey(id, manager, created, description, (flags & 1) != 0, rotation, versions));
        }

        int aliasCount = reader.UInt16();
        var aliases = new Dictionary<string, string>(aliasCount, StringComparer.Ordinal);
        for (int i = 0; i < aliasCount; i++)
        {
            aliases[reader.ShortString()] = reader.ShortString();
        }

        if (!reader.AtEnd)
        {
            throw new InvalidDataException("the KMS key ring has bytes after its end");
        }

        return new KeyRing(keys, aliases);
    }

    private static void WriteShort(ref ScratchBuffer buffer, string ascii)
    {
        Span<byte> field = buffer.Reserve(1 + ascii.Length);
        field[0] = (byte)ascii.Length;
        Encoding.ASCII.GetBytes(ascii, field[1..]);
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private ReadOnlySpan<byte> _rest = bytes;

        public readonly bool AtEnd => _rest.IsEmpty;

        public ReadOnlySpan<byte> Bytes(int count)
        {
            if (_rest.Length < count)
            {
                throw new InvalidDataException("the KMS key ring is truncated");
            }

            ReadOnlySpan<byte> taken = _rest[..count];
            _rest = _rest[count..];
            return taken;
        }

        public byte Byte() => Bytes(1)[0];

        public ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2));

        public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));

        public long Int64() => BinaryPrimitives.ReadInt64BigEndian(Bytes(8));

        public string ShortString() => Encoding.ASCII.GetString(Bytes(Byte()));
    }
}
