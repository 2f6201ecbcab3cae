using System.Security.Cryptography;
using FastS3.Basics;
using FastS3.Crypto.OpenSsl;

namespace FastS3.Auth;

/// <summary>
/// Every SigV4 signature FastS3 checks (request, aws-chunked chunk, trailer) is
/// hex(HMAC(signingKey, algorithm "\n" date "\n" scope "\n" lines joined by "\n")); this builds and
/// signs that string on the stack.
/// </summary>
internal static class StringToSign
{
    public static void Sign(
        ReadOnlySpan<byte> signingKey,
        ReadOnlySpan<byte> algorithm,
        ReadOnlySpan<byte> amzDate,
        ReadOnlySpan<byte> scope,
        ReadOnlySpan<byte> line1,
        ReadOnlySpan<byte> line2,
        ReadOnlySpan<byte> line3,
        Span<byte> hexSignature)
    {
        Span<byte> text = stackalloc byte[algorithm.Length + amzDate.Length + scope.Length + line1.Length + line2.Length + line3.Length + 5];
        int n = 0;
        AppendLine(text, ref n, algorithm);
        AppendLine(text, ref n, amzDate);
        AppendLine(text, ref n, scope);
        AppendLine(text, ref n, line1);
        AppendLine(text, ref n, line2);
        AppendLine(text, ref n, line3);

        Span<byte> mac = stackalloc byte[32];
        Sha256.Hmac(signingKey, text[..n], mac);
        Hex.Encode(mac, hexSignature);
    }

    // Lines are joined by '\n'; an empty (absent) line adds nothing.
    private static void AppendLine(Span<byte> text, ref int position, ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            return;
        }

        if (position > 0)
        {
            text[position++] = (byte)'\n';
        }

        line.CopyTo(text[position..]);
        position += line.Length;
    }
}
