using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace FastS3.Testing;

/// <summary>Handshakes with a server on 127.0.0.1 to see what it offers: its certificate, and what openssl s_client can negotiate.</summary>
public static partial class TlsProbe
{
    /// <summary>The SHA-256 fingerprint of the certificate a new connection is given, as the server logs it (AA:BB:…).</summary>
    public static async Task<string> FingerprintAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        using var certificate = new X509Certificate2(tls.RemoteCertificate!);
        return string.Join(':', Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)).Chunk(2).Select(pair => new string(pair)));
    }

    /// <summary>
    /// Runs <c>openssl s_client</c> with <paramref name="options"/> (e.g. <c>-tls1_2 -cipher X</c>) and
    /// returns the protocol and cipher it negotiated, or null when the handshake failed.
    /// </summary>
    public static async Task<(string Protocol, string Cipher)?> OpenSslAsync(int port, params string[] options)
    {
        var start = new ProcessStartInfo("openssl", ["s_client", "-connect", $"127.0.0.1:{port}", "-servername", "localhost", .. options])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Match negotiated = Negotiated().Match(await stdout + await stderr);
        return negotiated.Success && negotiated.Groups[2].Value != "(NONE)"
            ? (negotiated.Groups[1].Value, negotiated.Groups[2].Value)
            : null;
    }

    [GeneratedRegex(@"^New, (\S+), Cipher is (\S+)", RegexOptions.Multiline)]
    private static partial Regex Negotiated();
}
