using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>The fasts3 executable end to end: TLS with its generated certificate, S3 errors, signals.</summary>
[Trait("Store", "Disk")]
public class ServerTests
{
    [Fact]
    public async Task GeneratesACertificateAndCompletesVerifiedHandshakes()
    {
        await using ServerProcess server = await ServerProcess.StartAsync();
        Assert.Contains("generated a self-signed one", server.Log);
        Assert.Contains("SHA-256 fingerprint", server.Log);
        using var generated = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(server.CertsDir, "public.crt")));

        foreach (SslProtocols protocol in new[] { SslProtocols.Tls13, SslProtocols.Tls12 })
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", server.BaseUrl.Port);
            await using var tls = new SslStream(tcp.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = protocol,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                // Trust exactly the generated certificate: the chain and the host name are still checked.
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { generated },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            });

            Assert.Equal(protocol, tls.SslProtocol);
            Assert.Equal(SslApplicationProtocol.Http11, tls.NegotiatedApplicationProtocol);
            Assert.Equal(generated.Thumbprint, new X509Certificate2(tls.RemoteCertificate!).Thumbprint);

            await tls.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
            using var reader = new StreamReader(tls);
            Assert.StartsWith("HTTP/1.1 403 Forbidden", await reader.ReadLineAsync());
        }
    }

    [Fact]
    public async Task ReusesAnExistingCertificate()
    {
        await using ServerProcess first = await ServerProcess.StartAsync();
        string fingerprint = File.ReadAllText(Path.Combine(first.CertsDir, "public.crt"));
        await using ServerProcess second = await ServerProcess.StartAsync(certsDir: first.CertsDir);
        Assert.DoesNotContain("generated a self-signed", second.Log);
        Assert.Equal(fingerprint, File.ReadAllText(Path.Combine(first.CertsDir, "public.crt")));
    }

    [Fact]
    public async Task AnswersUnsignedRequestsWithXmlErrorsOverHttps()
    {
        await using ServerProcess server = await ServerProcess.StartAsync();
        var (exit, stdout, stderr) = await Processes.CurlAsync("--insecure", "--include", new Uri(server.BaseUrl, "/my-bucket/my-secret-diary").ToString());
        Assert.True(exit == 0, stderr);
        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", stdout);
        Assert.Matches(@"x-amz-request-id: [0-9A-F]{16}\r\n", stdout);
        Assert.Contains("Content-Type: application/xml\r\n", stdout);
        Assert.Contains("<Error><Code>AccessDenied</Code><Message>Anonymous access is not allowed; sign the request with AWS Signature Version 4.</Message><Resource>/my-bucket/my-secret-diary</Resource><RequestId>", stdout);
    }

    [Fact]
    public async Task ServesPlainHttpWhenAskedAndOverIpv6()
    {
        await using ServerProcess server = await ServerProcess.StartAsync(address: "[::1]:0", tls: false);
        Assert.Equal("http", server.BaseUrl.Scheme);
        var (exit, stdout, stderr) = await Processes.CurlAsync("--globoff", "--write-out", "%{http_code}", "--output", "/dev/null", server.BaseUrl.ToString());
        Assert.True(exit == 0, stderr);
        Assert.Equal("403", stdout);
    }

    [Fact]
    public async Task StopsGracefullyOnSigterm()
    {
        ServerProcess server = await ServerProcess.StartAsync();
        Assert.Equal(0, await server.StopAsync());
        Assert.Contains("stopped", server.Log);
        await server.DisposeAsync();
    }
}
