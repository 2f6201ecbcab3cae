using System.Net;
using System.Security.Cryptography.X509Certificates;
using FastS3.Testing;

namespace FastS3.Tests;

public class CertgenTests
{
    [Fact]
    public async Task WritesAPemPairForTheGivenHosts()
    {
        string directory = Path.Combine(Directory.CreateTempSubdirectory("fasts3-certgen-").FullName, "out");
        var (exit, stdout, stderr) = await Processes.RunAsync(ServerProcess.Command(null, ["certgen", "--host", "localhost,127.0.0.1,::1,s3.test", "--out", directory]));
        Assert.True(exit == 0, stderr);
        Assert.Contains("SHA-256 fingerprint", stdout);

        string certPath = Path.Combine(directory, "public.crt");
        string keyPath = Path.Combine(directory, "private.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyPath));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(keyPath));

        using var certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        Assert.True(certificate.HasPrivateKey);
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["localhost", "s3.test"], names.EnumerateDnsNames().Order());
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], names.EnumerateIPAddresses());
        Assert.Contains(CertificateFingerprint(certificate), stdout);
    }

    [Fact]
    public async Task HelpListsTheCommands()
    {
        var (exit, stdout, _) = await Processes.RunAsync(ServerProcess.Command(null, ["--help"]));
        Assert.Equal(0, exit);
        Assert.Contains("server", stdout);
        Assert.Contains("certgen", stdout);

        (exit, stdout, _) = await Processes.RunAsync(ServerProcess.Command(null, ["server", "--help"]));
        Assert.Equal(0, exit);
        Assert.Contains("--certs-dir", stdout);
        Assert.Contains("--no-tls", stdout);
    }

    private static string CertificateFingerprint(X509Certificate2 certificate)
        => string.Join(':', Convert.ToHexString(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)).Chunk(2).Select(c => new string(c)));
}
