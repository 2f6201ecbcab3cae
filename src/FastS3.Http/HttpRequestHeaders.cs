using FastS3.Http.Parsing;

namespace FastS3.Http;

/// <summary>
/// The header (or trailer) fields of one request, as offsets into a block of raw bytes. Names
/// compare ASCII case-insensitively; values are the trimmed raw bytes. Valid until the request ends.
/// </summary>
public sealed class HttpRequestHeaders
{
    private readonly Field[] _fields;
    private ReadOnlyMemory<byte> _block;
    private int _count;

    internal HttpRequestHeaders(int capacity) => _fields = new Field[capacity];

    public int Count => _count;

    public HttpHeader this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_count, nameof(index));
            ref readonly Field field = ref _fields[index];
            ReadOnlySpan<byte> block = _block.Span;
            return new HttpHeader(block.Slice(field.NameStart, field.NameLength), block.Slice(field.ValueStart, field.ValueLength));
        }
    }

    /// <summary>The first field named <paramref name="name"/>.</summary>
    public bool TryGetValue(scoped ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        ReadOnlySpan<byte> block = _block.Span;
        for (int i = 0; i < _count; i++)
        {
            ref readonly Field field = ref _fields[i];
            if (field.NameLength == name.Length
                && System.Text.Ascii.EqualsIgnoreCase(block.Slice(field.NameStart, field.NameLength), name))
            {
                value = block.Slice(field.ValueStart, field.ValueLength);
                return true;
            }
        }

        value = default;
        return false;
    }

    public bool Contains(ReadOnlySpan<byte> name) => TryGetValue(name, out _);

    public Enumerator GetEnumerator() => new(this);

    internal void Reset()
    {
        _count = 0;
        _block = default;
    }

    /// <summary>Points the offsets at <paramref name="block"/>, e.g. after the head was copied out of the pipe.</summary>
    internal void Rebase(ReadOnlyMemory<byte> block) => _block = block;

    internal void Add(int nameStart, int nameLength, int valueStart, int valueLength)
        => _fields[_count++] = new Field(nameStart, nameLength, valueStart, valueLength);

    private readonly record struct Field(int NameStart, int NameLength, int ValueStart, int ValueLength);

    public ref struct Enumerator
    {
        private readonly HttpRequestHeaders _headers;
        private int _index;

        internal Enumerator(HttpRequestHeaders headers)
        {
            _headers = headers;
            _index = -1;
        }

        public readonly HttpHeader Current => _headers[_index];

        public bool MoveNext() => ++_index < _headers._count;
    }
}

public readonly ref struct HttpHeader
{
    public HttpHeader(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Name = name;
        Value = value;
    }

    public ReadOnlySpan<byte> Name { get; }

    public ReadOnlySpan<byte> Value { get; }
}

/// <summary>Collects trailer fields for <see cref="HttpRequestHeaders"/>.</summary>
internal struct TrailerFieldHandler : IHttpHeadHandler
{
    private readonly HttpRequestHeaders _trailers;

    public TrailerFieldHandler(HttpRequestHeaders trailers) => _trailers = trailers;

    public readonly void OnRequestLine(HttpMethod method, int methodLength, int targetStart, int targetLength, int pathLength, HttpVersion version)
        => throw new InvalidOperationException();

    public readonly void OnHeader(int nameStart, int nameLength, int valueStart, int valueLength)
        => _trailers.Add(nameStart, nameLength, valueStart, valueLength);
}
