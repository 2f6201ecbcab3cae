namespace FastS3.Buffers;

/// <summary>
/// Room claimed in a <see cref="RecordRing"/>: the writer fills <see cref="Record"/> in place (no
/// copy from a buffer of its own) and then commits it, which makes it visible to the reader.
/// </summary>
internal readonly ref struct RingClaim
{
    private readonly ref int _header;

    public RingClaim(ref int header, Span<byte> record, bool wake)
    {
        _header = ref header;
        Record = record;
        Wake = wake;
    }

    /// <summary>The record's bytes, in the ring.</summary>
    public Span<byte> Record { get; }

    /// <summary>This record crossed a multiple of the wake mark in bytes written: the reader should be woken rather than left to its schedule (once per that many bytes, not per record).</summary>
    public bool Wake { get; }

    /// <summary>Writes the length header, last and with a barrier: the record is then whole for the reader.</summary>
    public void Commit() => Volatile.Write(ref _header, Record.Length);
}
