using System.Buffers;
using System.Buffers.Text;
using System.Text;
using FastS3.Http.Parsing;
using FastS3.Memory;

namespace FastS3.Http;

/// <summary>
/// Response header lines, encoded to bytes as they are added so that starting the response is a
/// single copy into the output. Framing fields (Content-Length, Transfer-Encoding, Connection, Date)
/// belong to the transport and are refused here.
/// </summary>
public sealed class HttpResponseHeaders
{
    private byte[] _buffer = [];
    private int _length;

    internal ReadOnlySpan<byte> Encoded => _buffer.AsSpan(0, _length);

    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        Span<byte> line = Reserve(name, value.Length);
        if (value.IndexOfAny(HttpCharacters.InvalidFieldValue) >= 0)
        {
            throw new ArgumentException("Header values must not contain control characters.", nameof(value));
        }

        value.CopyTo(line);
    }

    public void Add(ReadOnlySpan<byte> name, ReadOnlySpan<char> value)
    {
        if (!Ascii.IsValid(value) || value.ContainsAny('\r', '\n', '\0'))
        {
            throw new ArgumentException("Header values must be ASCII without control characters.", nameof(value));
        }

        Span<byte> line = Reserve(name, value.Length);
        Ascii.FromUtf16(value, line, out _);
    }

    public void Add(ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, digits, out int written);
        Add(name, digits[..written]);
    }

    /// <summary>Forgets the lines, zeroing them: an application may echo request secrets in its headers.</summary>
    internal void Reset()
    {
        _buffer.AsSpan(0, _length).Clear();
        _length = 0;
    }

    internal void ReturnBuffers()
    {
        Reset();
        if (_buffer.Length > 0)
        {
            PinnedBufferPool.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    // Writes "name: " and the trailing CRLF, returning the gap for the value.
    private Span<byte> Reserve(ReadOnlySpan<byte> name, int valueLength)
    {
        if (name.IsEmpty || name.IndexOfAnyExcept(HttpCharacters.Token) >= 0)
        {
            throw new ArgumentException("Header names must be HTTP tokens.", nameof(name));
        }

        if (IsTransportField(name))
        {
            throw new ArgumentException("Framing headers are set by the transport.", nameof(name));
        }

        int needed = name.Length + 2 + valueLength + 2;
        if (_length + needed > _buffer.Length)
        {
            Grow(needed);
        }

        Span<byte> line = _buffer.AsSpan(_length, needed);
        name.CopyTo(line);
        line[name.Length] = (byte)':';
        line[name.Length + 1] = (byte)' ';
        line[^2] = (byte)'\r';
        line[^1] = (byte)'\n';
        _length += needed;
        return line.Slice(name.Length + 2, valueLength);
    }

    private void Grow(int needed)
    {
        byte[] larger = PinnedBufferPool.Shared.Rent(Math.Max(1024, (_length + needed) * 2));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            PinnedBufferPool.Shared.Return(_buffer);
        }

        _buffer = larger;
    }

    private static bool IsTransportField(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 => HttpCharacters.EqualsLower(name, "date"u8),
        10 => HttpCharacters.EqualsLower(name, "connection"u8),
        14 => HttpCharacters.EqualsLower(name, "content-length"u8),
        17 => HttpCharacters.EqualsLower(name, "transfer-encoding"u8),
        _ => false,
    };
}
