namespace FastS3.Storage;

/// <summary>
/// Where an object's stored bytes go while they stream in: a bucket's data item (<see cref="IDataWriter"/>),
/// or, for small objects, memory that becomes part of the object's record (<see cref="InlineWriter"/>).
/// Fill <see cref="GetMemory"/> and call <see cref="AdvanceAsync"/>, or copy with <see cref="WriteAsync"/>.
/// </summary>
public interface IObjectWriter : IAsyncDisposable
{
    /// <summary>Bytes accepted so far.</summary>
    long Length { get; }

    /// <summary>Free space to fill (never empty).</summary>
    Memory<byte> GetMemory();

    ValueTask AdvanceAsync(int count);

    ValueTask WriteAsync(ReadOnlyMemory<byte> data);
}
