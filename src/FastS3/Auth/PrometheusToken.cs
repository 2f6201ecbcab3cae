using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FastS3.Auth;

/// <summary>
/// The bearer token a Prometheus server scrapes the metrics with, as MinIO issues it: a JWT signed
/// HS512 with the secret of the access key it names (<c>sub</c>), issued by "prometheus", with an
/// expiry. Only HS512 is taken, whatever the header claims, and the signature is compared in
/// constant time.
/// </summary>
public static class PrometheusToken
{
    public const string Issuer = "prometheus";

    /// <summary>Longer than any token this server issues; a longer header is refused unread.</summary>
    private const int MaxLength = 4096;

    private const int SignatureSize = HMACSHA512.HashSizeInBytes;

    private static readonly byte[] Header = Base64Url.EncodeToUtf8("""{"alg":"HS512","typ":"JWT"}"""u8);

    /// <summary>A token for <paramref name="accessKey"/>, valid until <paramref name="expires"/>.</summary>
    public static string Create(string accessKey, string secretKey, DateTimeOffset expires)
    {
        var payload = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteNumber("exp", expires.ToUnixTimeSeconds());
            json.WriteString("sub", accessKey);
            json.WriteString("iss", Issuer);
            json.WriteEndObject();
        }

        string signed = $"{Encoding.ASCII.GetString(Header)}.{Base64Url.EncodeToString(payload.WrittenSpan)}";
        byte[] signature = HMACSHA512.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.ASCII.GetBytes(signed));
        return $"{signed}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>True when <paramref name="token"/> is an unexpired HS512 token issued by "prometheus" and signed with its access key's secret.</summary>
    public static bool Verify(ReadOnlySpan<byte> token, AccessKeys keys, DateTimeOffset now)
    {
        if (token.Length > MaxLength)
        {
            return false;
        }

        int firstDot = token.IndexOf((byte)'.');
        int lastDot = token.LastIndexOf((byte)'.');
        if (firstDot <= 0 || lastDot <= firstDot || token[(firstDot + 1)..lastDot].Contains((byte)'.'))
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[MaxLength];
        if (!TryDecode(token[..firstDot], decoded, out int headerLength) || !IsHs512(decoded[..headerLength]))
        {
            return false;
        }

        if (!TryDecode(token[(firstDot + 1)..lastDot], decoded, out int payloadLength)
            || !TryReadClaims(decoded[..payloadLength], now, out Range accessKey)
            || !keys.TryGetSecret(decoded[..payloadLength][accessKey], out byte[] secret))
        {
            return false;
        }

        Span<byte> signature = stackalloc byte[SignatureSize];
        Span<byte> expected = stackalloc byte[SignatureSize];
        if (Base64Url.GetMaxDecodedLength(token.Length - lastDot - 1) < SignatureSize
            || Base64Url.DecodeFromUtf8(token[(lastDot + 1)..], signature, out _, out int signatureLength) != OperationStatus.Done
            || signatureLength != SignatureSize)
        {
            return false;
        }

        HMACSHA512.HashData(secret, token[..lastDot], expected);
        return CryptographicOperations.FixedTimeEquals(signature, expected);
    }

    private static bool TryDecode(ReadOnlySpan<byte> part, Span<byte> destination, out int length)
        => Base64Url.DecodeFromUtf8(part, destination, out _, out length) == OperationStatus.Done;

    private static bool IsHs512(ReadOnlySpan<byte> header)
    {
        bool hs512 = false;
        return TryReadObject(header, (name, reader) =>
        {
            if (name.SequenceEqual("alg"u8))
            {
                hs512 = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("HS512"u8);
            }
        }) && hs512;
    }

    /// <summary>The claims MinIO checks: issuer, expiry (required), and the access key (<c>sub</c>, or MinIO's <c>accessKey</c>).</summary>
    private static bool TryReadClaims(ReadOnlySpan<byte> payload, DateTimeOffset now, out Range accessKey)
    {
        bool issued = false;
        bool current = false;
        Range key = default;
        bool valid = TryReadObject(payload, (name, reader) =>
        {
            if (name.SequenceEqual("iss"u8))
            {
                issued = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(Issuer);
            }
            else if (name.SequenceEqual("exp"u8))
            {
                current = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long expires) && expires > now.ToUnixTimeSeconds();
            }
            else if ((name.SequenceEqual("sub"u8) || name.SequenceEqual("accessKey"u8)) && reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
            {
                int start = (int)reader.TokenStartIndex + 1;
                key = start..(start + reader.ValueSpan.Length);
            }
        });
        accessKey = key;
        return valid && issued && current && key.End.Value > 0;
    }

    private delegate void PropertyVisitor(ReadOnlySpan<byte> name, Utf8JsonReader reader);

    /// <summary>Walks a flat JSON object, handing each property's name and value to <paramref name="visit"/>; false for anything else.</summary>
    private static bool TryReadObject(ReadOnlySpan<byte> json, PropertyVisitor visit)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 2 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                // The claims read are plain ASCII names: an escaped spelling of one is not it (fails closed).
                ReadOnlySpan<byte> name = reader.ValueIsEscaped ? default : reader.ValueSpan;
                if (!reader.Read() || (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject && !reader.TrySkip()) )
                {
                    return false;
                }

                visit(name, reader);
            }

            return reader.TokenType == JsonTokenType.EndObject && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
