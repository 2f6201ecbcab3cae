using System.Security.Cryptography;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary><see cref="SecretScanner"/> finds what <see cref="KeyHygieneTests"/> relies on it to find, and only that.</summary>
public sealed class SecretScannerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fasts3-scanner-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void FindsEachEncodingWhereverItIsPlanted()
    {
        // Leading zero bytes: the raw form starts inside a run of zeros, which the scan skips. Then
        // bytes whose base64 is "+/+/" and hex has letters, so that no two encodings coincide.
        var secret = new Secret("key", [0, 0, 0, 0xfb, 0xff, 0xbf, .. RandomNumberGenerator.GetBytes(26)]);
        (string Name, byte[] Bytes)[] encodings = [.. SecretEncodings.Of(secret.Value)];
        byte[] file = new byte[9 * 1024 * 1024];
        var planted = new List<(long Offset, string Encoding)>();
        void Plant(long offset, (string Name, byte[] Bytes) encoding)
        {
            encoding.Bytes.CopyTo(file, offset);
            planted.Add((offset, encoding.Name));
        }

        for (int i = 0; i < encodings.Length; i++)
        {
            Plant(1000 + (i * 100_000), encodings[i]);
        }

        Plant((4 * 1024 * 1024) - 7, encodings[0]);
        Plant(file.Length - encodings[^1].Bytes.Length, encodings[^1]);
        File.WriteAllBytes(Path.Combine(_directory, "data"), file);

        List<SecretHit> hits = SecretScanner.ScanDirectory(_directory, [secret, new Secret("absent", RandomNumberGenerator.GetBytes(32))]);

        Assert.Equal(9, encodings.Length);
        Assert.Equal(planted.Order(), hits.Select(h => (h.Offset, h.Pattern.Encoding)).Order());
    }
}
