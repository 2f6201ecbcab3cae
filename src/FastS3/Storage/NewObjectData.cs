namespace FastS3.Storage;

/// <summary>
/// The stored bytes of a new object while they are written: kept inline in memory for the record
/// when the object is small (see <see cref="InlineWriter"/>), else streamed into a data file that
/// <see cref="CommitAsync"/> makes durable under a fresh id. Disposing discards what was not committed.
/// </summary>
public sealed class NewObjectData : IAsyncDisposable
{
    private readonly long _expectedLength;
    private readonly InlineWriter? _inline;
    private readonly DataFileWriter? _file;

    private NewObjectData(long expectedLength, InlineWriter? inline, DataFileWriter? file)
    {
        _expectedLength = expectedLength;
        _inline = inline;
        _file = file;
    }

    public IObjectWriter Writer => (IObjectWriter?)_inline ?? _file!;

    /// <summary>The data file's id once committed; empty for inline data and empty objects.</summary>
    public Guid DataId { get; private set; }

    /// <summary>The committed data file, to delete if the object never makes it into the index.</summary>
    public string? DataPath { get; private set; }

    /// <summary>The bytes for the record's inline field (empty unless inline).</summary>
    public ReadOnlySpan<byte> InlineData => _inline is null ? default : _inline.Written;

    /// <summary>Starts an object whose stored size will be <paramref name="expectedLength"/>.</summary>
    public static NewObjectData Create(Store store, long expectedLength)
        => expectedLength <= store.Options.InlineLimit
            ? new NewObjectData(expectedLength, new InlineWriter((int)expectedLength), null)
            : CreateFile(store);

    /// <summary>Starts bytes that always go to a data file: multipart parts and part tables, which records name by data id.</summary>
    public static NewObjectData CreateFile(Store store)
        => new(-1, null, DataFileWriter.Create(store.NewTempPath(), store.Options.WriteMode, store.Blocks));

    /// <summary>
    /// Makes a data file durable in <paramref name="bucket"/> (nothing to do for inline data or an
    /// empty object); false when inline data did not come to the length announced.
    /// </summary>
    public async ValueTask<bool> CommitAsync(Bucket bucket)
    {
        if (_inline is not null)
        {
            return _inline.Length == _expectedLength;
        }

        if (_file!.Length > 0)
        {
            DataId = Guid.NewGuid();
            DataPath = bucket.DataPath(DataId);
            await _file.CommitAsync(DataPath);
        }

        return true;
    }

    /// <summary>Deletes the committed data file (the object lost a race or a check after the commit).</summary>
    public void Discard() => Bucket.DeleteQuietly(DataPath);

    /// <summary>
    /// Awaits the index write of the record that points at this data. When the index refused it for
    /// a full disk, nothing of it was logged and nothing will point at the file: it goes at once.
    /// (After any other failure the write may still turn up at the next start; the file stays for
    /// start-up's orphan sweep to judge.)
    /// </summary>
    public async ValueTask<T> PublishAsync<T>(ValueTask<T> indexWrite)
    {
        try
        {
            return await indexWrite;
        }
        catch (StorageFullException)
        {
            Discard();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_inline is not null)
        {
            await _inline.DisposeAsync();
        }

        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
    }
}
