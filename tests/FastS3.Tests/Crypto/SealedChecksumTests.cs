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
public class SealedChecksumTests
{
    private static readonly byte[] Checksum = [1, 0, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF];

    [Fact]
    public void TheChecksumOpensFromItsOwnField()
    {
        var keys = new DataKeys();
        using DataKey key = NewKey(keys);
        byte[] record = Record(key, sealChecksumApart: true);
        ObjectRecord.TryRead(record, out ObjectRecord read);

        Assert.True(Multipart.ChecksumOf(key, read, out _).SequenceEqual(Checksum));
        Span<byte> opened = stackalloc byte[Encryption.ChecksumLength(read)];
        Assert.True(Encryption.TryOpenChecksum(key, read, opened, out int written));
        Assert.True(opened[..written].SequenceEqual(Checksum));
        Assert.True(read.Field(RecordField.SealedChecksum).IndexOf(Checksum) < 0, "the checksum is stored in the clear");
    }

    [Fact]
    public void RecordsWrittenBeforeTheFieldKeepItInTheMetadata()
    {
        var keys = new DataKeys();
        using DataKey key = NewKey(keys);
        byte[] record = Record(key, sealChecksumApart: false);
        ObjectRecord.TryRead(record, out ObjectRecord read);

        Assert.True(Encryption.TryOpenChecksum(key, read, default, out int written));
        Assert.Equal(0, written);
        Assert.True(Multipart.ChecksumOf(key, read, out _).SequenceEqual(Checksum));
    }

    [Fact]
    public void AnotherKeyOpensNeither()
    {
        var keys = new DataKeys();
        using DataKey key = NewKey(keys);
        using DataKey other = NewKey(keys);
        byte[] record = Record(key, sealChecksumApart: true);
        ObjectRecord.TryRead(record, out ObjectRecord read);

        Span<byte> opened = stackalloc byte[Encryption.ChecksumLength(read)];
        Assert.False(Encryption.TryOpenChecksum(other, read, opened, out _));
        Assert.True(Multipart.ChecksumOf(other, read, out _).IsEmpty);
    }

    private static DataKey NewKey(DataKeys keys)
    {
        DataKey key = keys.Take();
        RandomNumberGenerator.Fill(key.Writable);
        return key;
    }

    /// <summary>An encrypted part's record, its checksum sealed apart (today's form) or inside the sealed metadata (the form before).</summary>
    private static byte[] Record(DataKey key, bool sealChecksumApart)
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

            Encryption.SealMetadata(key, details.Written, ref record);
            if (sealChecksumApart)
            {
                Encryption.SealChecksum(key, Checksum, ref record);
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
