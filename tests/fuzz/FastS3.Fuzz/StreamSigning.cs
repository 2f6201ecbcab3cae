using System.Text;
using FastS3.Auth;

namespace FastS3.Fuzz;

/// <summary>
/// The fixed SigV4 context signed aws-chunked streams are checked against: as if the request's own
/// signature had verified with this key, date, scope and seed. <see cref="Seeds"/> signs its streams
/// with the same values, so the fuzzer starts from streams that authenticate.
/// </summary>
internal static class StreamSigning
{
    public static readonly byte[] AmzDate = "20261127T160000Z"u8.ToArray();
    public static readonly byte[] Scope = "20261127/us-east-1/s3/aws4_request"u8.ToArray();
    public static readonly byte[] SeedSignature = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"u8.ToArray();
    public static readonly byte[] SigningKey = DeriveKey();

    public static SignatureContext Context(PayloadMode payload)
    {
        var context = new SignatureContext { Payload = payload };
        SigningKey.CopyTo(context.SigningKey, 0);
        SeedSignature.CopyTo(context.SeedSignature, 0);
        AmzDate.CopyTo(context.AmzDate, 0);
        Scope.CopyTo(context.ScopeBuffer, 0);
        context.ScopeLength = Scope.Length;
        return context;
    }

    /// <summary>The next signature of a chain: over the previous one and the chunk's (or trailer's) lines.</summary>
    public static byte[] Next(byte[] previous, ReadOnlySpan<byte> algorithm, ReadOnlySpan<byte> line2, ReadOnlySpan<byte> line3)
    {
        byte[] signature = new byte[64];
        StringToSign.Sign(SigningKey, algorithm, AmzDate, Scope, previous, line2, line3, signature);
        return signature;
    }

    private static byte[] DeriveKey()
    {
        byte[] key = new byte[32];
        SigningKeyCache.Derive("fuzz-secret"u8, "20261127"u8, "us-east-1"u8, "s3"u8, key);
        return key;
    }

    public static string Hex(byte[] signature) => Encoding.ASCII.GetString(signature);
}
