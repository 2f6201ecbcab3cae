using System.Net;
using FastS3.Http.Parsing;

namespace FastS3.Http;

/// <summary>
/// One request's head, exposed as spans over its raw bytes: nothing is decoded or copied into
/// strings. The target is kept exactly as received, as signature checks need it byte for byte.
/// Valid only while the application handles the request.
/// </summary>
public sealed class HttpRequest
{
    private ReadOnlyMemory<byte> _head;
    private int _methodLength;
    private int _targetStart;
    private int _targetLength;
    private int _pathLength;
    private int _hostCount;
    private int _hostField = -1;
    private int _userAgentField = -1;

    internal HttpRequest(HttpConnection connection, HttpLimits limits)
    {
        Headers = new HttpRequestHeaders(limits.MaxRequestHeaderCount);
        Trailers = new HttpRequestHeaders(limits.MaxRequestHeaderCount);
        Body = new HttpRequestBody(connection, this, limits);
    }

    public HttpMethod Method { get; private set; }

    public ReadOnlySpan<byte> MethodBytes => _head.Span[.._methodLength];

    public HttpVersion Version { get; private set; }

    /// <summary>The request target as sent: path and query, still percent-encoded.</summary>
    public ReadOnlySpan<byte> RawTarget => _head.Span.Slice(_targetStart, _targetLength);

    /// <summary>The path part of the target, still percent-encoded.</summary>
    public ReadOnlySpan<byte> Path => _head.Span.Slice(_targetStart, _pathLength);

    /// <summary>The query after '?', still percent-encoded; empty when there is none.</summary>
    public ReadOnlySpan<byte> Query => _pathLength < _targetLength
        ? _head.Span.Slice(_targetStart + _pathLength + 1, _targetLength - _pathLength - 1)
        : default;

    public ReadOnlySpan<byte> Host => _hostField >= 0 ? Headers[_hostField].Value : default;

    /// <summary>The first User-Agent field's value, noted while the head is parsed (a log reads it for every request, no lookup then).</summary>
    public ReadOnlySpan<byte> UserAgent => _userAgentField >= 0 ? Headers[_userAgentField].Value : default;

    public HttpRequestHeaders Headers { get; }

    /// <summary>Fields sent after a chunked body; filled once <see cref="Body"/> has been read to its end.</summary>
    public HttpRequestHeaders Trailers { get; }

    public HttpRequestBody Body { get; }

    /// <summary>The declared Content-Length, or -1 when the body is chunked or absent.</summary>
    public long ContentLength { get; private set; } = -1;

    public bool IsChunked { get; private set; }

    public bool ExpectsContinue { get; private set; }

    /// <summary>True when the request arrived over TLS.</summary>
    public bool IsTls { get; internal set; }

    /// <summary>The TLS version the connection negotiated; None over plain HTTP.</summary>
    public System.Security.Authentication.SslProtocols TlsProtocol { get; internal set; }

    public EndPoint? RemoteEndPoint { get; internal set; }

    /// <summary>
    /// The application's own per-connection state (buffers, hash objects): kept across requests
    /// and, as connections are pooled, across connections. The transport never touches it.
    /// </summary>
    public object? ConnectionState { get; set; }

    internal bool KeepAlive { get; private set; }

    internal bool HasBody => IsChunked || ContentLength > 0;

    internal void Reset()
    {
        // A head rejected half-parsed must not show the previous request's method or target.
        _head = default;
        _methodLength = 0;
        _targetStart = 0;
        _targetLength = 0;
        _pathLength = 0;
        Method = HttpMethod.Custom;
        Version = HttpVersion.Http11;
        _hostCount = 0;
        _hostField = -1;
        _userAgentField = -1;
        ContentLength = -1;
        IsChunked = false;
        ExpectsContinue = false;
        KeepAlive = false;
        Headers.Reset();
        Trailers.Reset();
        Body.Reset();
    }

    /// <summary>Parses a complete head and validates how the body is framed.</summary>
    internal void Parse(ReadOnlyMemory<byte> head, HttpLimits limits)
    {
        _head = head;
        Headers.Rebase(head);
        var handler = new Handler(this);
        HttpParser.ParseHead(head.Span, ref handler, limits.MaxRequestHeaderCount);

        if (Version == HttpVersion.Http11)
        {
            KeepAlive = !handler.ConnectionClose;
            if (_hostCount == 0)
            {
                Reject.Throw(RequestRejectionReason.MissingHostHeader);
            }
        }
        else
        {
            KeepAlive = handler.ConnectionKeepAlive && !handler.ConnectionClose;
            ExpectsContinue = false;
        }

        if (_hostCount > 1)
        {
            Reject.Throw(RequestRejectionReason.MultipleHostHeaders);
        }

        if (IsChunked)
        {
            if (ContentLength >= 0)
            {
                Reject.Throw(RequestRejectionReason.ContentLengthWithChunked);
            }

            if (Version == HttpVersion.Http10)
            {
                Reject.Throw(RequestRejectionReason.ChunkedOnHttp10);
            }
        }

        if (ContentLength > limits.MaxRequestBodySize)
        {
            Reject.Throw(RequestRejectionReason.RequestBodyTooLarge);
        }

        Body.Start(IsChunked ? HttpRequestBody.Framing.Chunked : ContentLength > 0 ? HttpRequestBody.Framing.ContentLength : HttpRequestBody.Framing.None, ContentLength);
    }

    /// <summary>Moves the head's bytes to <paramref name="copy"/> so the pipe can recycle its buffers.</summary>
    internal void Rebase(ReadOnlyMemory<byte> copy)
    {
        _head = copy;
        Headers.Rebase(copy);
    }

    private struct Handler : IHttpHeadHandler
    {
        private readonly HttpRequest _request;
        public bool ConnectionClose;
        public bool ConnectionKeepAlive;
        private bool _transferEncodingSeen;

        public Handler(HttpRequest request) => _request = request;

        public readonly void OnRequestLine(HttpMethod method, int methodLength, int targetStart, int targetLength, int pathLength, HttpVersion version)
        {
            HttpRequest r = _request;
            r.Method = method;
            r._methodLength = methodLength;
            r._targetStart = targetStart;
            r._targetLength = targetLength;
            r._pathLength = pathLength;
            r.Version = version;
        }

        public void OnHeader(int nameStart, int nameLength, int valueStart, int valueLength)
        {
            HttpRequest r = _request;
            int index = r.Headers.Count;
            r.Headers.Add(nameStart, nameLength, valueStart, valueLength);

            // Only the fields that frame the message are interpreted here (and where Host and User-Agent are noted); the rest stay raw.
            ReadOnlySpan<byte> head = r._head.Span;
            ReadOnlySpan<byte> name = head.Slice(nameStart, nameLength);
            ReadOnlySpan<byte> value = head.Slice(valueStart, valueLength);
            switch (nameLength)
            {
                case 4 when HttpCharacters.EqualsLower(name, "host"u8):
                    r._hostCount++;
                    r._hostField = index;
                    break;
                case 6 when HttpCharacters.EqualsLower(name, "expect"u8):
                    r.ExpectsContinue = HttpCharacters.EqualsLower(value, "100-continue"u8);
                    break;
                case 10 when HttpCharacters.EqualsLower(name, "connection"u8):
                    ParseConnection(value);
                    break;
                case 10 when r._userAgentField < 0 && HttpCharacters.EqualsLower(name, "user-agent"u8):
                    r._userAgentField = index;
                    break;
                case 14 when HttpCharacters.EqualsLower(name, "content-length"u8):
                    long length = ParseContentLength(value);
                    if (r.ContentLength >= 0 && r.ContentLength != length)
                    {
                        Reject.Throw(RequestRejectionReason.MultipleContentLengths);
                    }

                    r.ContentLength = length;
                    break;
                case 17 when HttpCharacters.EqualsLower(name, "transfer-encoding"u8):
                    if (_transferEncodingSeen)
                    {
                        Reject.Throw(RequestRejectionReason.UnsupportedTransferCoding);
                    }

                    _transferEncodingSeen = true;
                    if (!HttpCharacters.EqualsLower(value, "chunked"u8))
                    {
                        Reject.Throw(RequestRejectionReason.UnsupportedTransferCoding);
                    }

                    r.IsChunked = true;
                    break;
            }
        }

        private void ParseConnection(ReadOnlySpan<byte> value)
        {
            foreach (Range range in value.Split((byte)','))
            {
                ReadOnlySpan<byte> token = HttpCharacters.TrimWhitespace(value[range]);
                if (HttpCharacters.EqualsLower(token, "close"u8))
                {
                    ConnectionClose = true;
                }
                else if (HttpCharacters.EqualsLower(token, "keep-alive"u8))
                {
                    ConnectionKeepAlive = true;
                }
            }
        }

        private static long ParseContentLength(ReadOnlySpan<byte> value)
        {
            // 1*DIGIT only: no sign, no spaces, no lists, and small enough not to overflow.
            if (value.IsEmpty || value.Length > 18 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0)
            {
                Reject.Throw(RequestRejectionReason.InvalidContentLength);
            }

            long result = 0;
            foreach (byte digit in value)
            {
                result = (result * 10) + (digit - '0');
            }

            return result;
        }
    }
}
