using System.Security.Cryptography;
using FastS3.Api;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Tests.Crypto;

/// <summary>
/// An encrypted record's checksum is sealed apart from its metadata (docs/encryption-format.md §8),
/// and records written before that keep it inside the sealed metadata: both read back, and neither
/// opens under another key.
/// </summary>
public sealed class SealedChecksumTests : IDisposable
{
    private static readonly byte[] Checksum = [1, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF];

    private readonly DataKeys _keys = new();
    private readonly DataKey _key;

    public SealedChecksumTests() => _key = NewKey();

    public void Dispose() => _key.Dispose();

    [Fact]
    public void TheChecksumOpensFromItsOwnField()
    {
        ObjectRecord.TryRead(Record(sealChecksumApart: true), out ObjectRecord read);

        Assert.True(Multipart.ChecksumOf(_key, read, out _).SequenceEqual(Checksum));
        Span<byte> opened = stackalloc byte[Encryption.ChecksumLength(read)];
        Assert.True(Encryption.TryOpenChecksum(_key, read, opened, out int written));
        Assert.True(opened[..written].SequenceEqual(Checksum));
        Assert.True(read.Field(RecordField.SealedChecksum).IndexOf(Checksum) < 0, "the checksum is stored in the clear");
    }

    [Fact]
    public void RecordsWrittenBeforeTheFieldKeepItInTheMetadata()
    {
        ObjectRecord.TryRead(Record(sealChecksumApart: false), out ObjectRecord read);

        Assert.True(Encryption.TryOpenChecksum(_key, read, default, out int written));
        Assert.Equal(0, written);
        Assert.True(Multipart.ChecksumOf(_key, read, out _).SequenceEqual(Checksum));
    }

    [Fact]
    public void AnotherKeyOpensNeither()
    {
        using DataKey other = NewKey();
        ObjectRecord.TryRead(Record(sealChecksumApart: true), out ObjectRecord read);

        Span<byte> opened = stackalloc byte[Encryption.ChecksumLength(read)];
        Assert.False(Encryption.TryOpenChecksum(other, read, opened, out _));
        Assert.True(Multipart.ChecksumOf(other, read, out _).IsEmpty);
    }

    private DataKey NewKey()
    {
        DataKey key = _keys.Take();
        RandomNumberGenerator.Fill(key.Writable);
        return key;
    }

    /// <summary>An encrypted part's record, its checksum sealed apart (today's form) or inside the sealed metadata (the form before).</summary>
    private byte[] Record(bool sealChecksumApart)
    {
        var record = new ObjectRecord.Builder((byte)RecordFlags.Encrypted, Guid.NewGuid(), 8, 48, DateTimeOffset.UtcNow);
        var details = new ObjectRecord.Builder(0, Guid.Empty, 8, 8, DateTimeOffset.UtcNow);
        try
        {
            details.Add(RecordField.ContentType, "text/plain"u8);
            if (!sealChecksumApart)
            {
                details.Add(RecordField.Checksum, Checksum);
            }

            Encryption.SealMetadata(_key, details.Written, ref record);
            if (sealChecksumApart)
            {
                Encryption.SealChecksum(_key, Checksum, ref record);
            }

            return record.Written.ToArray();
        }
        finally
        {
            details.Dispose();
            record.Dispose();
        }
    }
}
