namespace FastS3.Crypto;

/// <summary>
/// What a ranged read of an encrypted object needs: decrypt segments <see cref="FirstSegment"/> to
/// <see cref="LastSegment"/> (the last one with the final flag iff <see cref="LastIsFinal"/>) from the
/// stored bytes [<see cref="StoredOffset"/>, <see cref="StoredOffset"/> + <see cref="StoredLength"/>),
/// then drop <see cref="Skip"/> plaintext bytes and keep <see cref="Length"/>.
/// </summary>
public readonly record struct SegmentRange(
    long FirstSegment,
    long LastSegment,
    bool LastIsFinal,
    long StoredOffset,
    long StoredLength,
    int Skip,
    long Length)
{
    public long SegmentCount => LastSegment - FirstSegment + 1;
}
