using System.Security.Cryptography;
using FastS3.Crypto.OpenSsl;

namespace FastS3.Tests.Crypto;

/// <summary>
/// FastS3's own libcrypto bindings give exactly what .NET's AesGcm, SHA256 and HMACSHA256 give
/// (the stored format's test vectors were made with those), fail closed on any change to a sealed
/// message, and keep one thread's cipher from being lent twice.
/// </summary>
public sealed class OpenSslPrimitivesTests
{
    public static TheoryData<int, int> GcmSizes => new() { { 0, 0 }, { 1, 0 }, { 32, 13 }, { 4096, 1 }, { 65536, 60 }, { 100_003, 0 } };

    [Theory]
    [MemberData(nameof(GcmSizes))]
    public void GcmCipherMatchesAesGcmBothWays(int length, int aadLength)
    {
        var random = new Random(length + aadLength);
        byte[] key = Bytes(random, 32), nonce = Bytes(random, 12), plaintext = Bytes(random, length), aad = Bytes(random, aadLength);
        byte[] expected = new byte[length], expectedTag = new byte[16];
        using (var reference = new AesGcm(key, 16))
        {
            reference.Encrypt(nonce, plaintext, expected, expectedTag, aad);
        }

        byte[] ciphertext = new byte[length], tag = new byte[16], opened = new byte[length];
        using var cipher = new GcmCipher(key);
        cipher.Encrypt(nonce, plaintext, ciphertext, tag, aad);
        Assert.Equal(expected, ciphertext);
        Assert.Equal(expectedTag, tag);

        // A second message on the same keyed context, and the thread's re-keyed one, agree too.
        Assert.True(cipher.TryDecrypt(nonce, ciphertext, tag, opened, aad));
        Assert.Equal(plaintext, opened);
        using (GcmCipher.Scope scope = GcmCipher.OnThread(key))
        {
            Array.Clear(opened);
            Assert.True(scope.Cipher.TryDecrypt(nonce, expected, expectedTag, opened, aad));
        }

        Assert.Equal(plaintext, opened);
    }

    [Fact]
    public void GcmCipherRefusesEveryAlterationAndZeroesTheOutput()
    {
        var random = new Random(7);
        byte[] key = Bytes(random, 32), nonce = Bytes(random, 12), plaintext = Bytes(random, 64), aad = Bytes(random, 5);
        byte[] ciphertext = new byte[64], tag = new byte[16];
        using var cipher = new GcmCipher(key);
        cipher.Encrypt(nonce, plaintext, ciphertext, tag, aad);

        for (int part = 0; part < 5; part++)
        {
            byte[][] inputs = [(byte[])key.Clone(), (byte[])nonce.Clone(), (byte[])ciphertext.Clone(), (byte[])tag.Clone(), (byte[])aad.Clone()];
            inputs[part][random.Next(inputs[part].Length)] ^= 0x01;
            byte[] output = Bytes(random, 64);
            using var opener = new GcmCipher(inputs[0]);
            Assert.False(opener.TryDecrypt(inputs[1], inputs[2], inputs[3], output, inputs[4]));
            Assert.All(output, b => Assert.Equal(0, b));
        }

        using var intact = new GcmCipher(key);
        Assert.True(intact.TryDecrypt(nonce, ciphertext, tag, new byte[64], aad));
    }

    [Fact]
    public void TheThreadsCipherIsLentOnceAtATimeAndWipedAfter()
    {
        byte[] key = Bytes(new Random(3), 32), nonce = new byte[12], ciphertext = new byte[16], tag = new byte[16];
        using (GcmCipher.Scope scope = GcmCipher.OnThread(key))
        {
            Assert.Throws<InvalidOperationException>(() => { using GcmCipher.Scope again = GcmCipher.OnThread(key); });
            scope.Cipher.Encrypt(nonce, new byte[16], ciphertext, tag);
        }

        // Wiped: the same thread's cipher, lent again with the zero key, is keyed with that and nothing else.
        byte[] zeroKeyCiphertext = new byte[16], zeroKeyTag = new byte[16];
        using (var reference = new AesGcm(new byte[32], 16))
        {
            reference.Encrypt(nonce, new byte[16], zeroKeyCiphertext, zeroKeyTag);
        }

        using GcmCipher.Scope zero = GcmCipher.OnThread(new byte[32]);
        Assert.True(zero.Cipher.TryDecrypt(nonce, zeroKeyCiphertext, zeroKeyTag, new byte[16]));
        Assert.False(zero.Cipher.TryDecrypt(nonce, ciphertext, tag, new byte[16]));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(32, 80)]
    [InlineData(64, 1)]
    [InlineData(65, 200)]
    [InlineData(140, 64)]
    [InlineData(3, 1000)]
    public void Sha256AndHmacMatchDotNet(int keyLength, int messageLength)
    {
        var random = new Random(keyLength * 1000 + messageLength);
        byte[] key = Bytes(random, keyLength), message = Bytes(random, messageLength);
        byte[] digest = new byte[32], mac = new byte[32];
        Sha256.Hash(message, digest);
        Assert.Equal(SHA256.HashData(message), digest);
        Sha256.Hmac(key, message, mac);
        Assert.Equal(HMACSHA256.HashData(key, message), mac);

        // The MAC may be written over its own key, as the SigV4 key derivation does.
        byte[] overKey = key.Length == 32 ? (byte[])key.Clone() : Bytes(random, 32);
        byte[] expected = HMACSHA256.HashData(overKey, message);
        Sha256.Hmac(overKey, message, overKey);
        Assert.Equal(expected, overKey);
    }

    private static byte[] Bytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
