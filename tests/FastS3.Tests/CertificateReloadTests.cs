using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// public.crt and private.key replaced under the running native binary: new connections get the new
/// certificate without a restart, however the files were replaced; a pair that does not load keeps
/// the old certificate in service and the log says why.
/// </summary>
[RunsLong]
[Trait("Store", "Disk")]
public sealed class CertificateReloadTests : IDisposable
{
    private readonly string _staging = Directory.CreateTempSubdirectory("fasts3-reload-").FullName;

    public void Dispose() => Directory.Delete(_staging, recursive: true);

    [Fact]
    public async Task ChangedFilesAreServedWithoutARestartAndBadOnesAreRefused()
    {
        await using ServerProcess server = await ServerProcess.StartAsync(await NativeAotTests.Binary.Value);
        int port = server.BaseUrl.Port;
        string certPath = Path.Combine(server.CertsDir, "public.crt");
        string keyPath = Path.Combine(server.CertsDir, "private.key");
        string generated = await TlsProbe.FingerprintAsync(port);
        Assert.Contains($"SHA-256 fingerprint {generated}", server.Log);

        // cp over the files, the key first: between the two copies the pair does not match.
        string rsa = WritePair("rsa", RSA.Create(2048), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.Copy(Path.Combine(_staging, "rsa.key"), keyPath, overwrite: true);
        File.Copy(Path.Combine(_staging, "rsa.crt"), certPath, overwrite: true);
        await WaitForFingerprintAsync(port, rsa);
        Assert.Contains($"fingerprint {rsa} (was {generated})", server.Log);

        // The RSA certificate brings the ECDHE-RSA suites: AEAD only, and no static RSA key exchange.
        Assert.Equal(("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"), await TlsProbe.OpenSslAsync(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"));
        Assert.Null(await TlsProbe.OpenSslAsync(port, "-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA"));
        Assert.Null(await TlsProbe.OpenSslAsync(port, "-tls1_2", "-cipher", "AES256-GCM-SHA384"));

        // A garbage certificate, a key that is not the certificate's, an expired certificate: each refused, with its reason.
        await File.WriteAllTextAsync(certPath, "this is not a certificate\n");
        await WaitForLogAsync(server, $"not reloaded: public.crt holds no PEM certificate; still serving {rsa}");
        WritePair("other", ECDsa.Create(ECCurve.NamedCurves.nistP256), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.Copy(Path.Combine(_staging, "other.crt"), certPath, overwrite: true);
        await WaitForLogAsync(server, $"not reloaded: private.key is not the key of public.crt; still serving {rsa}");
        WritePair("expired", ECDsa.Create(ECCurve.NamedCurves.nistP256), DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        File.Copy(Path.Combine(_staging, "expired.key"), keyPath, overwrite: true);
        File.Copy(Path.Combine(_staging, "expired.crt"), certPath, overwrite: true);
        await WaitForLogAsync(server, "not reloaded: public.crt expired on");
        Assert.Equal(rsa, await TlsProbe.FingerprintAsync(port));

        // A good pair again, this time renamed into place.
        string renamed = WritePair("renamed", ECDsa.Create(ECCurve.NamedCurves.nistP256), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        File.Copy(Path.Combine(_staging, "renamed.key"), keyPath + ".new");
        File.Copy(Path.Combine(_staging, "renamed.crt"), certPath + ".new");
        File.Move(keyPath + ".new", keyPath, overwrite: true);
        File.Move(certPath + ".new", certPath, overwrite: true);
        await WaitForFingerprintAsync(port, renamed);
        Assert.Contains($"fingerprint {renamed} (was {rsa})", server.Log);

        // A certificate caught half-written (the key already new): the old pair stays until the file is whole.
        string truncated = WritePair("truncated", ECDsa.Create(ECCurve.NamedCurves.nistP256), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        byte[] whole = File.ReadAllBytes(Path.Combine(_staging, "truncated.crt"));
        File.Copy(Path.Combine(_staging, "truncated.key"), keyPath, overwrite: true);
        await File.WriteAllBytesAsync(certPath, whole[..(whole.Length / 2)]);
        await WaitForLogAsync(server, $"not reloaded: public.crt holds no PEM certificate; still serving {renamed}");
        Assert.Equal(renamed, await TlsProbe.FingerprintAsync(port));
        await File.WriteAllBytesAsync(certPath, whole);
        await WaitForFingerprintAsync(port, truncated);

        // Kubernetes' secret volume: the names are links into ..data, itself a link to a dated
        // directory; an update writes a new directory and swaps ..data atomically.
        string swappedIn = WritePair("k8s-1", ECDsa.Create(ECCurve.NamedCurves.nistP256), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        AddSecretVersion(server.CertsDir, "..2026_12_07_10_00_00.1", "k8s-1");
        File.CreateSymbolicLink(Path.Combine(server.CertsDir, "..data"), "..2026_12_07_10_00_00.1");
        File.Delete(certPath);
        File.Delete(keyPath);
        File.CreateSymbolicLink(certPath, Path.Combine("..data", "public.crt"));
        File.CreateSymbolicLink(keyPath, Path.Combine("..data", "private.key"));
        await WaitForFingerprintAsync(port, swappedIn);
        string swappedAgain = WritePair("k8s-2", ECDsa.Create(ECCurve.NamedCurves.nistP256), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        AddSecretVersion(server.CertsDir, "..2026_12_07_11_00_00.2", "k8s-2");
        File.CreateSymbolicLink(Path.Combine(server.CertsDir, "..data_tmp"), "..2026_12_07_11_00_00.2");
        // rename(2) of one link over the other, as kubelet does (File.Move will not move a link to a directory).
        Assert.Equal(0, (await Processes.RunAsync("mv", "-T", Path.Combine(server.CertsDir, "..data_tmp"), Path.Combine(server.CertsDir, "..data"))).ExitCode);
        await WaitForFingerprintAsync(port, swappedAgain);

        // Each bad content was reported once, not at every check.
        Assert.Single(server.Log.Split('\n'), line => line.Contains("holds no PEM certificate") && line.Contains($"still serving {rsa}"));
    }

    /// <summary>A dated directory of a Kubernetes secret volume holding the staged pair <paramref name="name"/>.</summary>
    private void AddSecretVersion(string certsDir, string version, string name)
    {
        string directory = Path.Combine(certsDir, version);
        Directory.CreateDirectory(directory);
        File.Copy(Path.Combine(_staging, name + ".crt"), Path.Combine(directory, "public.crt"));
        File.Copy(Path.Combine(_staging, name + ".key"), Path.Combine(directory, "private.key"));
    }

    [Fact]
    public async Task AnUnusablePairAtStartIsAnErrorThatSaysWhy()
    {
        string certs = Path.Combine(_staging, "certs");
        Directory.CreateDirectory(certs);
        WritePair("expired", ECDsa.Create(ECCurve.NamedCurves.nistP256), DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        File.Copy(Path.Combine(_staging, "expired.crt"), Path.Combine(certs, "public.crt"));
        File.Copy(Path.Combine(_staging, "expired.key"), Path.Combine(certs, "private.key"));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(certsDir: certs));
        Assert.Contains("TLS certificate in " + certs + " unusable: public.crt expired on", refused.Message);
    }

    /// <summary>Writes NAME.crt and NAME.key (PEM) for localhost and 127.0.0.1 into the staging directory; returns the certificate's fingerprint.</summary>
    private string WritePair(string name, AsymmetricAlgorithm key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using (key)
        {
            CertificateRequest request = key switch
            {
                RSA rsa => new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                ECDsa ecdsa => new CertificateRequest("CN=localhost", ecdsa, HashAlgorithmName.SHA256),
                _ => throw new ArgumentException("RSA or ECDSA", nameof(key)),
            };
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using X509Certificate2 certificate = request.CreateSelfSigned(notBefore, notAfter);
            File.WriteAllText(Path.Combine(_staging, name + ".crt"), certificate.ExportCertificatePem());
            File.WriteAllText(Path.Combine(_staging, name + ".key"), key.ExportPkcs8PrivateKeyPem());
            return string.Join(':', Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(pair => new string(pair)));
        }
    }

    private static async Task WaitForFingerprintAsync(int port, string expected)
    {
        for (int attempt = 0; attempt < 100 && await TlsProbe.FingerprintAsync(port) != expected; attempt++)
        {
            await Task.Delay(200);
        }

        Assert.Equal(expected, await TlsProbe.FingerprintAsync(port));
    }

    private static async Task WaitForLogAsync(ServerProcess server, string line)
    {
        for (int attempt = 0; attempt < 100 && !server.Log.Contains(line); attempt++)
        {
            await Task.Delay(200);
        }

        Assert.True(server.Log.Contains(line), $"expected \"{line}\" in the log:\n{server.Log}");
    }
}
