using FastS3.Basics;

namespace FastS3.Storage;

/// <summary>
/// The stored bytes of one stream (an object's data, or one part of a multipart object), open for
/// reads at any offset: a backend's data item, or the bytes a small object keeps in its record. The
/// S3 layer reads through this and never sees a file. A struct, so that a small object's read allocates
/// nothing; disposing closes the data item.
/// </summary>
public readonly struct StoredBytes : IDisposable
{
    private readonly IRangeReader? _data;
    private readonly ReadOnlyMemory<byte> _inline;

    public StoredBytes(IRangeReader data) => _data = data;

    /// <summary>The bytes a record keeps (a small object's stored stream).</summary>
    public StoredBytes(ReadOnlyMemory<byte> inline) => _inline = inline;

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; 0 at the end.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> buffer, long offset)
    {
        if (_data is not null)
        {
            return _data.ReadAsync(buffer, offset);
        }

        int available = (int)Math.Clamp(_inline.Length - offset, 0, buffer.Length);
        _inline.Slice((int)Math.Min(offset, _inline.Length), available).CopyTo(buffer);
        return new ValueTask<int>(available);
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; <see cref="S3Errors.StoredDataDamaged"/> when the stored bytes end first.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            int read = await ReadAsync(buffer, offset);
            if (read == 0)
            {
                throw new S3Exception(S3Errors.StoredDataDamaged);
            }

            buffer = buffer[read..];
            offset += read;
        }
    }

    public void Dispose() => _data?.Dispose();
}
