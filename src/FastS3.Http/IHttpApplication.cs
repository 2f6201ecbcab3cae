namespace FastS3.Http;

/// <summary>
/// What the transport calls for each request. The request and response objects belong to the
/// connection and are reused: nothing from them may be kept after the returned task completes.
/// An exception escaping before the response starts becomes a 500 and a closed connection.
/// </summary>
public interface IHttpApplication
{
    ValueTask ProcessAsync(HttpRequest request, HttpResponse response);
}

/// <summary>Where the transport reports what an operator should see. Never given request secrets.</summary>
public interface IServerLog
{
    void Info(string message);

    void Warning(string message);

    void Error(string message, Exception? exception = null);
}

internal sealed class NullServerLog : IServerLog
{
    public static readonly NullServerLog Instance = new();

    public void Info(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Error(string message, Exception? exception = null)
    {
    }
}
