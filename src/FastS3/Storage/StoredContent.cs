namespace FastS3.Storage;

/// <summary>
/// Where a stored object's bytes are, as <see cref="Bucket.OpenContentAsync"/> finds them: inside
/// its record (small objects), one data item, or (multipart objects) the parts its part table
/// lists, each a stored stream of its own. The S3 layer plans and reads through this and never
/// learns how the store keeps them.
/// </summary>
public sealed class StoredContent
{
    private readonly Bucket _bucket;

    internal StoredContent(Bucket bucket, PartEntry[] parts, PartTable? table, ReadOnlyMemory<byte> inline)
    {
        _bucket = bucket;
        Parts = parts;
        Table = table;
        Inline = inline;
    }

    /// <summary>The stored bytes of a small object kept in its record; empty otherwise.</summary>
    public ReadOnlyMemory<byte> Inline { get; }

    public bool IsInline => !Inline.IsEmpty;

    /// <summary>The parts in order; a single-stream object is one entry numbered 0.</summary>
    public PartEntry[] Parts { get; }

    /// <summary>The part table of a multipart object, else null.</summary>
    public PartTable? Table { get; }

    public bool IsMultipart => Table is not null;

    /// <summary>Where part <paramref name="index"/> (position, not number) starts in the object's plaintext.</summary>
    public long StartOf(int index) => Table?.StartOf(index) ?? 0;

    /// <summary>The position of the part holding plaintext byte <paramref name="offset"/>.</summary>
    public int IndexOf(long offset) => Table?.IndexOf(offset) ?? 0;

    /// <summary>The plaintext range part <paramref name="partNumber"/> of a multipart object covers; false when there is no such part.</summary>
    public bool TryGetPartRange(int partNumber, out long start, out long length)
    {
        start = 0;
        length = 0;
        if (Table is null || partNumber < 1 || partNumber > Parts.Length)
        {
            return false;
        }

        // Parts are numbered by the client (gaps allowed); ?partNumber=N means the N-th part, as in S3.
        start = Table.StartOf(partNumber - 1);
        length = Parts[partNumber - 1].Size;
        return true;
    }

    /// <summary>Opens the stored bytes of part <paramref name="index"/>; a <see cref="FileNotFoundException"/> when they are gone (the object was replaced).</summary>
    public StoredBytes OpenPart(int index) => IsInline ? new StoredBytes(Inline) : _bucket.OpenData(Parts[index].DataId);
}
