using System.Text;

namespace FastS3.Http.Internal;

/// <summary>Pre-encoded "HTTP/1.1 NNN Reason\r\n" for every status code, built once.</summary>
internal static class StatusLines
{
    private static readonly byte[][] Lines = Build();

    public static ReadOnlySpan<byte> Get(int statusCode)
    {
        if ((uint)(statusCode - 100) >= 500)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "HTTP status codes are 100-599.");
        }

        return Lines[statusCode - 100];
    }

    private static byte[][] Build()
    {
        var lines = new byte[500][];
        for (int code = 100; code < 600; code++)
        {
            lines[code - 100] = Encoding.ASCII.GetBytes($"HTTP/1.1 {code} {ReasonPhrase(code)}\r\n");
        }

        return lines;
    }

    public static string ReasonPhrase(int code) => code switch
    {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        _ => code switch
        {
            < 200 => "Informational",
            < 300 => "Success",
            < 400 => "Redirection",
            < 500 => "Client Error",
            _ => "Server Error",
        },
    };
}
