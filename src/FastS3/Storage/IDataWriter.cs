namespace FastS3.Storage;

/// <summary>
/// The bytes of a new data item of a bucket while they stream in (see <see cref="Bucket.CreateData"/>).
/// Nothing is visible until <see cref="CommitAsync"/>; disposing without it discards them.
/// </summary>
public interface IDataWriter : IObjectWriter
{
    /// <summary>Makes the bytes durable as data item <paramref name="id"/>.</summary>
    ValueTask CommitAsync(Guid id);
}
