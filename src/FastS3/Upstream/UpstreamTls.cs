using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FastS3.Upstream;

/// <summary>How the upstream's certificate is judged: the system store, a CA file of our own, or not at all.</summary>
internal static class UpstreamTls
{
    public static SslClientAuthenticationOptions ClientOptions(UpstreamOptions options)
    {
        var tls = new SslClientAuthenticationOptions();
        if (options.Insecure)
        {
#pragma warning disable CA5359 // Insecure is the operator's explicit choice, for test beds (UpstreamOptions.Insecure).
            tls.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (options.CaFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(options.CaFile);
            tls.RemoteCertificateValidationCallback = (_, certificate, _, errors) => TrustedBy(roots, certificate, errors);
        }

        return tls;
    }

    /// <summary>Chains to one of <paramref name="roots"/> alone, and the name still has to match.</summary>
    private static bool TrustedBy(X509Certificate2Collection roots, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is not X509Certificate2 leaf || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
