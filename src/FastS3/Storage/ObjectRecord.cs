using System.Buffers.Binary;
using FastS3.Buffers;

namespace FastS3.Storage;

/// <summary>The fields of an object's metadata record, by tag. Tags are never reused.</summary>
public enum RecordField : byte
{
    ETag = 1,
    ContentType = 2,
    CacheControl = 3,
    ContentDisposition = 4,
    ContentEncoding = 5,
    ContentLanguage = 6,
    Expires = 7,

    /// <summary>One per user metadata entry: lower-case name (without x-amz-meta-), 0x00, value.</summary>
    UserMetadata = 8,

    /// <summary>Algorithm (1 byte), checksum type (1 byte), part count (2 bytes LE), raw digest.</summary>
    Checksum = 9,

    /// <summary>Encrypted objects: seal algorithm (1 byte: 1 SSE-C, 2 SSE-S3, 3 SSE-KMS), IV, sealed object key, then for SSE-S3/KMS the KMS key binding (see docs/encryption-format.md).</summary>
    Encryption = 10,

    /// <summary>Encrypted objects: the content headers and user metadata, as a record of its own, sealed under the object key (and, in records written before <see cref="SealedChecksum"/>, the checksum).</summary>
    SealedMetadata = 11,

    /// <summary>A small object's stored bytes (plain, or the encrypted stream), kept in the record instead of a data file.</summary>
    InlineData = 12,

    /// <summary>A completed upload's record (see <see cref="CompletedUploads"/>): the digest of the part list its Complete was given.</summary>
    CompletedParts = 13,

    /// <summary>An SSE-C part's MAC of its upload id and table entry (see <see cref="PartTable"/>), for a Complete sent without the key.</summary>
    PartMac = 14,

    /// <summary>The object's tag set (see <see cref="StoredTags"/>), in the clear for SSE-C objects too: tags are metadata S3 lets a client read and change without the key. Absent when there are none.</summary>
    Tags = 15,

    /// <summary>
    /// Encrypted objects and parts: the checksum, sealed under the object key apart from the sealed
    /// metadata, because it is known only once the body is in while the metadata is known before it
    /// (a store that must write the metadata ahead of the bytes, the gateway, keeps the two apart).
    /// Records written before this field keep the checksum inside the sealed metadata.
    /// </summary>
    SealedChecksum = 16,
}

/// <summary>Bits of <see cref="ObjectRecord.Flags"/>.</summary>
[Flags]
public enum RecordFlags : byte
{
    None = 0,

    /// <summary>Encrypted: SSE-C, SSE-S3 or SSE-KMS, as the encryption field's seal algorithm says.</summary>
    Encrypted = 1,

    /// <summary>Completed from a multipart upload: the data id names the <see cref="PartTable"/>, whose parts hold the bytes.</summary>
    Multipart = 2,

    /// <summary>On a <see cref="CompletedUploads"/> record: the upload declared a checksum (so an SSE-C Complete needs the key, sent again too).</summary>
    ChecksumDeclared = 4,
}

/// <summary>
/// An object's metadata as stored in the bucket index: a fixed header then tagged fields, read in
/// place from the stored bytes (a ref struct view, nothing decoded up front).
/// <code>
///   u8 version | u8 flags | 16 data-file id | i64 size | i64 stored size | i64 last-modified UTC ticks
///   then fields: u8 tag | u16 LE length | bytes
/// </code>
/// </summary>
public readonly ref struct ObjectRecord
{
    public const byte Version = 1;
    private const int HeaderSize = 1 + 1 + 16 + 8 + 8 + 8;

    private readonly ReadOnlySpan<byte> _bytes;

    private ObjectRecord(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public byte Flags => _bytes[1];

    /// <summary>A bit test of <see cref="Flags"/>: Enum.HasFlag boxes in code the JIT has not optimized yet.</summary>
    public bool Has(RecordFlags flag) => (Flags & (byte)flag) != 0;

    /// <summary>Names the data file; empty for an object with no bytes (no file is kept).</summary>
    public Guid DataId => new(_bytes.Slice(2, 16));

    public long Size => BinaryPrimitives.ReadInt64LittleEndian(_bytes[18..]);

    public long StoredSize => BinaryPrimitives.ReadInt64LittleEndian(_bytes[26..]);

    public DateTimeOffset LastModified => new(BinaryPrimitives.ReadInt64LittleEndian(_bytes[34..]), TimeSpan.Zero);

    public ReadOnlySpan<byte> ETag => Field(RecordField.ETag);

    public static bool TryRead(ReadOnlySpan<byte> bytes, out ObjectRecord record)
    {
        record = new ObjectRecord(bytes);
        if (bytes.Length < HeaderSize || bytes[0] != Version)
        {
            return false;
        }

        // Validate the field chain once, so accessors can trust it.
        ReadOnlySpan<byte> fields = bytes[HeaderSize..];
        while (!fields.IsEmpty)
        {
            if (fields.Length < 3)
            {
                return false;
            }

            int length = BinaryPrimitives.ReadUInt16LittleEndian(fields[1..]);
            if (fields.Length < 3 + length)
            {
                return false;
            }

            fields = fields[(3 + length)..];
        }

        return true;
    }

    /// <summary>The first field with <paramref name="tag"/>, or empty.</summary>
    public ReadOnlySpan<byte> Field(RecordField tag)
    {
        FieldEnumerator fields = Fields();
        while (fields.MoveNext())
        {
            if (fields.Tag == tag)
            {
                return fields.Value;
            }
        }

        return default;
    }

    public FieldEnumerator Fields() => new(_bytes[HeaderSize..]);

    /// <summary>
    /// This record again with its <paramref name="tag"/> field set to <paramref name="value"/> (in
    /// place, or added; removed when empty) and everything else kept, LastModified too unless
    /// <paramref name="lastModified"/> is given.
    /// </summary>
    public byte[] With(RecordField tag, scoped ReadOnlySpan<byte> value, DateTimeOffset? lastModified = null)
    {
        var builder = new Builder(Flags, DataId, Size, StoredSize, lastModified ?? LastModified);
        try
        {
            bool written = false;
            FieldEnumerator fields = Fields();
            while (fields.MoveNext())
            {
                if (fields.Tag != tag)
                {
                    builder.Add(fields.Tag, fields.Value);
                }
                else if (!written)
                {
                    builder.AddIfPresent(tag, value);
                    written = true;
                }
            }

            if (!written)
            {
                builder.AddIfPresent(tag, value);
            }

            return builder.Written.ToArray();
        }
        finally
        {
            builder.Dispose();
        }
    }

    /// <summary>The first field with <paramref name="tag"/> of the record stored in <paramref name="record"/>, as memory over it (empty when absent).</summary>
    public static ReadOnlyMemory<byte> FieldMemory(ReadOnlyMemory<byte> record, RecordField tag)
    {
        if (!TryRead(record.Span, out ObjectRecord read))
        {
            return default;
        }

        FieldEnumerator fields = read.Fields();
        int offset = HeaderSize;
        while (fields.MoveNext())
        {
            offset += 3;
            if (fields.Tag == tag)
            {
                return record.Slice(offset, fields.Value.Length);
            }

            offset += fields.Value.Length;
        }

        return default;
    }

    public ref struct FieldEnumerator
    {
        private ReadOnlySpan<byte> _rest;

        internal FieldEnumerator(ReadOnlySpan<byte> fields)
        {
            _rest = fields;
            Tag = default;
            Value = default;
        }

        public RecordField Tag { get; private set; }

        public ReadOnlySpan<byte> Value { get; private set; }

        public bool MoveNext()
        {
            if (_rest.IsEmpty)
            {
                return false;
            }

            Tag = (RecordField)_rest[0];
            int length = BinaryPrimitives.ReadUInt16LittleEndian(_rest[1..]);
            Value = _rest.Slice(3, length);
            _rest = _rest[(3 + length)..];
            return true;
        }
    }

    /// <summary>Builds a record into pooled memory.</summary>
    public ref struct Builder
    {
        private ScratchBuffer _buffer;

        public Builder(byte flags, Guid dataId, long size, long storedSize, DateTimeOffset lastModified)
        {
            _buffer = new ScratchBuffer(512);
            Span<byte> header = _buffer.Reserve(HeaderSize);
            header[0] = Version;
            header[1] = flags;
            dataId.TryWriteBytes(header.Slice(2, 16));
            BinaryPrimitives.WriteInt64LittleEndian(header[18..], size);
            BinaryPrimitives.WriteInt64LittleEndian(header[26..], storedSize);
            BinaryPrimitives.WriteInt64LittleEndian(header[34..], lastModified.UtcTicks);
        }

        public readonly ReadOnlySpan<byte> Written => _buffer.Written;

        public void Add(RecordField tag, scoped ReadOnlySpan<byte> value)
        {
            if (value.Length > ushort.MaxValue)
            {
                throw new ArgumentException("A record field is limited to 64 KiB.", nameof(value));
            }

            Span<byte> field = _buffer.Reserve(3 + value.Length);
            field[0] = (byte)tag;
            BinaryPrimitives.WriteUInt16LittleEndian(field[1..], (ushort)value.Length);
            value.CopyTo(field[3..]);
        }

        /// <summary>Adds a field only when it has a value.</summary>
        public void AddIfPresent(RecordField tag, scoped ReadOnlySpan<byte> value)
        {
            if (!value.IsEmpty)
            {
                Add(tag, value);
            }
        }

        public void Dispose() => _buffer.Dispose();
    }
}
