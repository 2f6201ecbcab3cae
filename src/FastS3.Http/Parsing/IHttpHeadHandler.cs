namespace FastS3.Http.Parsing;

/// <summary>
/// Receives what <see cref="HttpParser"/> finds. Implemented by structs so each callback is a
/// direct, inlinable call. Offsets are relative to the start of the parsed block.
/// </summary>
internal interface IHttpHeadHandler
{
    void OnRequestLine(HttpMethod method, int methodLength, int targetStart, int targetLength, int pathLength, HttpVersion version);

    void OnHeader(int nameStart, int nameLength, int valueStart, int valueLength);
}
