namespace FastS3.Http;

/// <summary>
/// What the transport calls for each request. The request and response objects belong to the
/// connection and are reused: nothing from them may be kept after the returned task completes.
/// An exception escaping before the response starts becomes a 500 and a closed connection.
/// </summary>
public interface IHttpApplication
{
    ValueTask ProcessAsync(HttpRequest request, HttpResponse response);

    /// <summary>
    /// Shapes an answer the transport gives by itself, so that it reads like the application's own
    /// errors: a request it refused (<paramref name="reason"/> says why), an application failure
    /// (null reason, 500), or a connection beyond <see cref="HttpLimits.MaxConnections"/>
    /// (<see cref="RequestRejectionReason.ConnectionLimit"/>). <see cref="HttpResponse.StatusCode"/>
    /// holds the transport's choice and may be changed; headers and a body may be added. The request
    /// may be only partly parsed (its path empty), and the connection closes after the answer.
    /// Must not block. The default adds nothing: a bare status with an empty body.
    /// </summary>
    void WriteTransportError(HttpRequest request, HttpResponse response, RequestRejectionReason? reason)
    {
    }
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
