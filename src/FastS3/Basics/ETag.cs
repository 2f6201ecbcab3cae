namespace FastS3.Basics;

/// <summary>ETags travel quoted in headers and XML and are stored bare.</summary>
public static class ETag
{
    /// <summary>Writes "<paramref name="bare"/>" with its quotes; returns the length.</summary>
    public static int WriteQuoted(ReadOnlySpan<byte> bare, Span<byte> destination)
    {
        destination[0] = (byte)'"';
        bare.CopyTo(destination[1..]);
        destination[bare.Length + 1] = (byte)'"';
        return bare.Length + 2;
    }
}
