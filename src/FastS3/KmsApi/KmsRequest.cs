using System.Text.Json;

namespace FastS3.KmsApi;

/// <summary>
/// A KMS request's JSON body: one object whose members are read once (strings, integers and
/// booleans kept; a nested list or map only noted as present), then taken one by one with the
/// bounds AWS gives them. A body that is not such an object, or a member of the wrong type, is
/// AWS's SerializationException; a value out of bounds its ValidationException.
/// </summary>
internal sealed class KmsRequest
{
    /// <summary>More than any operation has: a bound on what a body can make the parser keep.</summary>
    private const int MaxMembers = 32;

    /// <summary>Stands for a nested list or map: present, not read.</summary>
    private static readonly object Nested = new();

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 8 };

    private readonly Dictionary<string, object> _members = new(StringComparer.Ordinal);

    private KmsRequest()
    {
    }

    /// <summary>Reads <paramref name="body"/> (empty reads as <c>{}</c>); null and the request, or the error.</summary>
    public static (KmsError? Error, KmsRequest Request) Parse(ReadOnlySpan<byte> body)
    {
        var request = new KmsRequest();
        if (body.IsEmpty)
        {
            return (null, request);
        }

        try
        {
            var reader = new Utf8JsonReader(body, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (KmsErrors.Serialization, request);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                object? value = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString()!,
                    JsonTokenType.Number => reader.TryGetInt64(out long number) ? number : null,
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    JsonTokenType.StartArray or JsonTokenType.StartObject => Nested,
                    _ => null,
                };
                if (value == Nested)
                {
                    reader.Skip();
                }

                // JSON null is an absent member, as AWS reads it; a repeated one is ambiguous.
                if ((value is null && reader.TokenType != JsonTokenType.Null) || request._members.ContainsKey(name) || request._members.Count == MaxMembers)
                {
                    return (KmsErrors.Serialization, request);
                }

                if (value is not null)
                {
                    request._members[name] = value;
                }
            }

            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() ? (null, request) : (KmsErrors.Serialization, request);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Malformed JSON, or a string that is not UTF-8.
            return (KmsErrors.Serialization, request);
        }
    }

    /// <summary>The first fault found in a member taken so far (null: none); a handler answers with it before acting.</summary>
    public KmsError? Error { get; private set; }

    public bool Has(string name) => _members.ContainsKey(name);

    /// <summary>An optional string of 1 to <paramref name="maxLength"/> characters.</summary>
    public string? String(string name, int maxLength)
    {
        if (!_members.TryGetValue(name, out object? member))
        {
            return null;
        }

        if (member is not string text)
        {
            return Refuse<string>(KmsErrors.Serialization);
        }

        return text.Length == 0 ? Refuse<string>(KmsErrors.Validation(name, "Member must have length greater than or equal to 1"))
            : text.Length > maxLength ? Refuse<string>(KmsErrors.Validation(name, $"Member must have length less than or equal to {maxLength}"))
            : text;
    }

    /// <summary>A string that must be present ("" when it is not, with <see cref="Error"/> set).</summary>
    public string Required(string name, int maxLength)
        => String(name, maxLength) ?? (Has(name) ? "" : Refuse<string>(KmsErrors.Missing(name)) ?? "");

    /// <summary>An optional string from <paramref name="allowed"/>.</summary>
    public string? Enum(string name, string[] allowed)
    {
        string? value = String(name, 64);
        return value is null || allowed.Contains(value) ? value : Refuse<string>(KmsErrors.NotInEnum(name, allowed));
    }

    /// <summary>An optional integer in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int? Integer(string name, int min, int max)
    {
        if (!_members.TryGetValue(name, out object? member))
        {
            return null;
        }

        return member is not long number ? Refuse<int?>(KmsErrors.Serialization)
            : number < min ? Refuse<int?>(KmsErrors.Validation(name, $"Member must have value greater than or equal to {min}"))
            : number > max ? Refuse<int?>(KmsErrors.Validation(name, $"Member must have value less than or equal to {max}"))
            : (int)number;
    }

    /// <summary>An optional boolean.</summary>
    public bool? Boolean(string name)
    {
        object? member = _members.GetValueOrDefault(name);
        return member is null or bool ? (bool?)member : Refuse<bool?>(KmsErrors.Serialization);
    }

    /// <summary>Notes <paramref name="error"/> unless an earlier one was; the member reads as absent.</summary>
    public T? Refuse<T>(KmsError error)
    {
        Error ??= error;
        return default;
    }
}
