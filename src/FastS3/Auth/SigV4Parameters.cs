namespace FastS3.Auth;

/// <summary>
/// The SigV4 fields of one request, from its Authorization header or its presigned query, as spans
/// over the request bytes (presigned values are percent-decoded into caller storage first).
/// </summary>
internal ref struct SigV4Parameters
{
    public ReadOnlySpan<byte> AccessKey;
    public ReadOnlySpan<byte> Date;
    public ReadOnlySpan<byte> Region;
    public ReadOnlySpan<byte> Service;
    public ReadOnlySpan<byte> Terminator;
    public ReadOnlySpan<byte> SignedHeaders;
    public ReadOnlySpan<byte> Signature;

    /// <summary>"date/region/service/aws4_request", the credential scope as signed.</summary>
    public ReadOnlySpan<byte> Scope;

    public static ReadOnlySpan<byte> Algorithm => "AWS4-HMAC-SHA256"u8;

    /// <summary>
    /// Parses "AWS4-HMAC-SHA256 Credential=AK/yyyymmdd/region/s3/aws4_request, SignedHeaders=a;b, Signature=hex".
    /// Components may come in any order, separated by commas with optional spaces.
    /// </summary>
    public static bool TryParseHeader(ReadOnlySpan<byte> value, out SigV4Parameters parameters)
    {
        parameters = default;
        if (!value.StartsWith(Algorithm) || value.Length == Algorithm.Length || value[Algorithm.Length] != (byte)' ')
        {
            return false;
        }

        ReadOnlySpan<byte> rest = value[(Algorithm.Length + 1)..];
        ReadOnlySpan<byte> credential = default;
        foreach (Range range in rest.Split((byte)','))
        {
            ReadOnlySpan<byte> part = rest[range].Trim((byte)' ');
            int eq = part.IndexOf((byte)'=');
            if (eq <= 0)
            {
                return false;
            }

            ReadOnlySpan<byte> name = part[..eq];
            ReadOnlySpan<byte> component = part[(eq + 1)..];
            if (name.SequenceEqual("Credential"u8))
            {
                credential = component;
            }
            else if (name.SequenceEqual("SignedHeaders"u8))
            {
                parameters.SignedHeaders = component;
            }
            else if (name.SequenceEqual("Signature"u8))
            {
                parameters.Signature = component;
            }
            else
            {
                return false;
            }
        }

        return parameters.TrySetCredential(credential) && !parameters.SignedHeaders.IsEmpty && !parameters.Signature.IsEmpty;
    }

    /// <summary>Splits "AK/date/region/service/aws4_request"; the access key itself may not contain '/'.</summary>
    public bool TrySetCredential(ReadOnlySpan<byte> credential)
    {
        int slash = credential.IndexOf((byte)'/');
        if (slash <= 0)
        {
            return false;
        }

        AccessKey = credential[..slash];
        Scope = credential[(slash + 1)..];
        ReadOnlySpan<byte> rest = Scope;
        Date = NextPart(ref rest);
        Region = NextPart(ref rest);
        Service = NextPart(ref rest);
        Terminator = NextPart(ref rest);
        if (!rest.IsEmpty || Terminator.IsEmpty || Scope[^1] == (byte)'/')
        {
            return false;
        }

        return Date.Length == 8 && Date.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0 && !Region.IsEmpty;
    }

    // The next '/'-separated part, leaving the rest after the slash.
    private static ReadOnlySpan<byte> NextPart(scoped ref ReadOnlySpan<byte> rest)
    {
        int slash = rest.IndexOf((byte)'/');
        ReadOnlySpan<byte> part = slash < 0 ? rest : rest[..slash];
        rest = slash < 0 ? default : rest[(slash + 1)..];
        return part;
    }
}
