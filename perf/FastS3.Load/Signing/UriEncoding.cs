using System.Text;

namespace FastS3.Load.Signing;

/// <summary>SigV4 percent-encoding: only unreserved characters stay literal (and '/' in a path), hex is upper case.</summary>
internal static class UriEncoding
{
    public static string Path(string path) => Encode(path, keepSlash: true);

    public static string Component(string value) => Encode(value, keepSlash: false);

    private static string Encode(string value, bool keepSlash)
    {
        var builder = new StringBuilder(value.Length + 16);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            bool literal = b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~' || (keepSlash && b == (byte)'/');
            if (literal)
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }
}
