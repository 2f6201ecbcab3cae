using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FastS3.Tls;

/// <summary>Makes a self-signed ECDSA P-256 server certificate for development and tests.</summary>
internal static class SelfSignedCertificate
{
    public static readonly string[] DefaultHosts = ["localhost", "127.0.0.1", "::1"];

    /// <summary>Writes DIR/public.crt and DIR/private.key (mode 0600), replacing any existing pair.</summary>
    public static void WritePem(IReadOnlyList<string> hosts, string directory, TimeSpan validity)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={hosts[0]}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (string host in hosts)
        {
            if (IPAddress.TryParse(host, out IPAddress? address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));

        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now + validity);

        Directory.CreateDirectory(directory);
        string keyPath = Path.Combine(directory, CertificateFiles.PrivateKey);
        string certPath = Path.Combine(directory, CertificateFiles.PublicCertificate);

        // Create the key file with owner-only permissions before any key byte is written.
        var keyOptions = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using (var keyFile = new StreamWriter(keyPath, keyOptions))
        {
            keyFile.Write(key.ExportPkcs8PrivateKeyPem());
        }

        File.WriteAllText(certPath, certificate.ExportCertificatePem());
    }
}
