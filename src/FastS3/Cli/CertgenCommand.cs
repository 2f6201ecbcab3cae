using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using FastS3.Tls;

namespace FastS3.Cli;

/// <summary><c>fasts3 certgen --host a,b --out DIR</c>: a self-signed pair in the server's layout.</summary>
internal static class CertgenCommand
{
    public static Command Create()
    {
        var hosts = new Option<string>("--host")
        {
            Description = "Comma-separated DNS names and IP addresses the certificate is for.",
            DefaultValueFactory = _ => string.Join(',', SelfSignedCertificate.DefaultHosts),
        };
        var output = new Option<DirectoryInfo>("--out")
        {
            Description = "Directory to write public.crt and private.key to.",
            DefaultValueFactory = _ => new DirectoryInfo(CertificateFiles.DefaultDirectory),
        };
        var days = new Option<int>("--days") { Description = "Validity in days.", DefaultValueFactory = _ => 365 };

        var command = new Command("certgen", "Generate a self-signed TLS certificate (ECDSA P-256).") { hosts, output, days };
        command.SetAction(result =>
        {
            string[] names = result.GetValue(hosts)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (names.Length == 0)
            {
                Console.Error.WriteLine("--host needs at least one name");
                return 2;
            }

            string directory = result.GetValue(output)!.FullName;
            SelfSignedCertificate.WritePem(names, directory, TimeSpan.FromDays(result.GetValue(days)));
            using var certificate = X509Certificate2.CreateFromPemFile(
                Path.Combine(directory, CertificateFiles.PublicCertificate), Path.Combine(directory, CertificateFiles.PrivateKey));
            Console.WriteLine($"wrote {Path.Combine(directory, CertificateFiles.PublicCertificate)} and {CertificateFiles.PrivateKey}");
            Console.WriteLine($"SHA-256 fingerprint {CertificateFiles.Fingerprint(certificate)}");
            return 0;
        });
        return command;
    }
}
