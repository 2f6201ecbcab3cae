namespace FastS3.Storage;

/// <summary>A backend's stored data item, open for reads at any offset (see <see cref="StoredBytes"/>); disposing closes it.</summary>
public interface IRangeReader : IDisposable
{
    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; 0 at the end.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, long offset);
}
