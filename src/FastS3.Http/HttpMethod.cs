namespace FastS3.Http;

/// <summary>The request method, matched from its bytes; anything else is <see cref="Custom"/>.</summary>
public enum HttpMethod : byte
{
    Custom,
    Get,
    Head,
    Put,
    Post,
    Delete,
    Options,
    Patch,
    Trace,
    Connect,
}

public enum HttpVersion : byte
{
    Http10,
    Http11,
}
