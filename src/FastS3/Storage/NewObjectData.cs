namespace FastS3.Storage;

/// <summary>
/// The stored bytes of a new object while they are written: kept inline in memory for the record
/// when the object is small (see <see cref="InlineWriter"/>), else streamed into a data item that
/// <see cref="CommitAsync"/> makes durable under a fresh id. Disposing discards what was not committed.
/// </summary>
public sealed class NewObjectData : IAsyncDisposable
{
    private readonly Bucket _bucket;
    private readonly long _expectedLength;
    private readonly InlineWriter? _inline;
    private readonly IDataWriter? _file;

    private NewObjectData(Bucket bucket, long expectedLength, InlineWriter? inline, IDataWriter? file)
    {
        _bucket = bucket;
        _expectedLength = expectedLength;
        _inline = inline;
        _file = file;
    }

    public IObjectWriter Writer => (IObjectWriter?)_inline ?? _file!;

    /// <summary>The data item's id once committed; empty for inline data and empty objects.</summary>
    public Guid DataId { get; private set; }

    /// <summary>The bytes for the record's inline field (empty unless inline).</summary>
    public ReadOnlySpan<byte> InlineData => _inline is null ? default : _inline.Written;

    /// <summary>Starts an object of <paramref name="bucket"/> whose stored size will be <paramref name="expectedLength"/>.</summary>
    public static NewObjectData Create(Bucket bucket, long expectedLength)
        => expectedLength <= bucket.InlineLimit
            ? new NewObjectData(bucket, expectedLength, new InlineWriter((int)expectedLength), null)
            : CreateFile(bucket);

    /// <summary>Starts bytes that always go to a data item: multipart parts and part tables, which records name by data id.</summary>
    public static NewObjectData CreateFile(Bucket bucket) => new(bucket, -1, null, bucket.CreateData());

    /// <summary>
    /// Makes a data item durable (nothing to do for inline data or an empty object); false when
    /// inline data did not come to the length announced.
    /// </summary>
    public async ValueTask<bool> CommitAsync()
    {
        if (_inline is not null)
        {
            return _inline.Length == _expectedLength;
        }

        if (_file!.Length > 0)
        {
            DataId = Guid.NewGuid();
            await _file.CommitAsync(DataId);
        }

        return true;
    }

    /// <summary>Deletes the committed data item (the object lost a race or a check after the commit).</summary>
    public void Discard()
    {
        if (DataId != Guid.Empty)
        {
            _bucket.DeleteData(DataId);
        }
    }

    /// <summary>
    /// Awaits the write of the record that points at this data. When the table refused it for a
    /// full disk, nothing of it was logged and nothing will point at the data: it goes at once.
    /// (After any other failure the write may still turn up at the next start; the data stays for
    /// start-up's orphan sweep to judge.)
    /// </summary>
    public async ValueTask<T> PublishAsync<T>(ValueTask<T> recordWrite)
    {
        try
        {
            return await recordWrite;
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
