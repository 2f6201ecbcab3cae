using System.Buffers.Binary;
using System.Text;

namespace FastS3.Storage;

/// <summary>
/// A tag set as stored (an object record's <see cref="RecordField.Tags"/> field, a bucket's tag
/// record): the number of tags, then each tag as a u16 LE length and its UTF-8 key, a u16 LE length
/// and its UTF-8 value, in the order the client gave them. The count comes first so that GET and
/// HEAD report it without walking the tags. An empty span is no tags.
/// </summary>
public static class StoredTags
{
    public static int Count(ReadOnlySpan<byte> stored) => stored.IsEmpty ? 0 : stored[0];

    public static Enumerator Enumerate(ReadOnlySpan<byte> stored) => new(stored.IsEmpty ? stored : stored[1..]);

    /// <summary>The stored form of <paramref name="tags"/> (at most 255, each part at most 64 KiB of UTF-8: the S3 layer allows far less); empty for none.</summary>
    public static byte[] Encode(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (tags.Count == 0)
        {
            return [];
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(tags.Count, byte.MaxValue, nameof(tags));
        int length = 1;
        foreach ((string key, string value) in tags)
        {
            length += 4 + Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value);
        }

        byte[] stored = new byte[length];
        stored[0] = (byte)tags.Count;
        int offset = 1;
        foreach ((string key, string value) in tags)
        {
            offset = Write(stored, offset, key);
            offset = Write(stored, offset, value);
        }

        return stored;
    }

    private static int Write(byte[] stored, int offset, string text)
    {
        int length = Encoding.UTF8.GetBytes(text, stored.AsSpan(offset + 2));
        BinaryPrimitives.WriteUInt16LittleEndian(stored.AsSpan(offset), checked((ushort)length));
        return offset + 2 + length;
    }

    public ref struct Enumerator
    {
        private ReadOnlySpan<byte> _rest;

        internal Enumerator(ReadOnlySpan<byte> tags)
        {
            _rest = tags;
            Key = default;
            Value = default;
        }

        public ReadOnlySpan<byte> Key { get; private set; }

        public ReadOnlySpan<byte> Value { get; private set; }

        public bool MoveNext()
        {
            int keyLength = PartLength(_rest);
            int valueLength = keyLength < 0 ? -1 : PartLength(_rest[(2 + keyLength)..]);
            if (valueLength < 0)
            {
                return false;
            }

            Key = _rest.Slice(2, keyLength);
            Value = _rest.Slice(4 + keyLength, valueLength);
            _rest = _rest[(4 + keyLength + valueLength)..];
            return true;
        }

        /// <summary>The length of the key or value <paramref name="rest"/> starts with; -1 past the end.</summary>
        private static int PartLength(ReadOnlySpan<byte> rest)
            => rest.Length >= 2 && rest.Length >= 2 + BinaryPrimitives.ReadUInt16LittleEndian(rest) ? BinaryPrimitives.ReadUInt16LittleEndian(rest) : -1;
    }
}
