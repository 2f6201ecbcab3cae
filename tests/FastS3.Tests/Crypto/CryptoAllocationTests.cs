using FastS3.Crypto;
using FastS3.Crypto.OpenSsl;

namespace FastS3.Tests.Crypto;

/// <summary>
/// What a small encrypted GET's crypto does per request (unwrap the object key under a bucket key,
/// open the sealed metadata, decrypt the inline body, and the SigV4 HMAC) allocates nothing once the
/// thread's OpenSSL contexts exist, measured on this thread: .NET's AesGcm took 128 B per such GET.
/// </summary>
public sealed class CryptoAllocationTests
{
    [Fact]
    public void ASmallEncryptedReadAllocatesNothing()
    {
        byte[] bucketKey = CryptoTestData.RandomBytes(32, 1), oek = new byte[ObjectKey.Size], iv = new byte[ObjectKey.IvSize];
        byte[] sealedKey = new byte[ObjectKey.SealedSize], sealData = "FastS3/SSE-KMS/v1/sealed-key\u0002binding"u8.ToArray();
        byte[] body = CryptoTestData.RandomBytes(4096, 2), metadata = CryptoTestData.RandomBytes(300, 3);
        System.Security.Cryptography.RandomNumberGenerator.Fill(oek);
        ObjectKey.SealFresh(KeyWrap.Server(bucketKey, sealData), "bucket"u8, "key"u8, oek, iv, sealedKey);
        byte[] stored = CryptoTestData.Encrypt(oek, body);
        byte[] sealedMetadata = new byte[MetadataCipher.SealedLength(metadata.Length)];
        MetadataCipher.Seal(oek, metadata, sealedMetadata);
        byte[] opened = new byte[ObjectKey.Size], openedMetadata = new byte[metadata.Length], plaintext = new byte[body.Length], mac = new byte[32];

        void Read()
        {
            Assert.True(ObjectKey.TryUnseal(KeyWrap.Server(bucketKey, sealData), "bucket"u8, "key"u8, iv, sealedKey, opened));
            Assert.True(MetadataCipher.TryOpen(opened, sealedMetadata, openedMetadata, out _));
            Assert.True(SegmentDecryptor.TryDecryptAll(opened, stored, plaintext, out _));
            Sha256.Hmac(bucketKey, stored.AsSpan(0, 200), mac);
        }

        // The first calls make the thread's contexts and fetch the algorithms; a per-read allocation shows in every round.
        for (int i = 0; i < 50; i++)
        {
            Read();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Read();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(body, plaintext);
        Assert.Equal(metadata, openedMetadata);
    }
}
