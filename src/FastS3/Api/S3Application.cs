using FastS3.Http;

namespace FastS3.Api;

/// <summary>
/// The S3 front door: routes each request and dispatches it to its operation family. Every
/// response carries x-amz-request-id. Operations are served as their families land; until then a
/// route answers S3's 501 NotImplemented naming the operation.
/// </summary>
public sealed class S3Application : IHttpApplication
{
    private static readonly S3Error[] NotImplementedByOperation = Enum.GetValues<S3Operation>()
        .Select(op => op == S3Operation.NotImplemented
            ? S3Error.NotImplemented
            : new S3Error(501, "NotImplemented", $"{op} is not implemented by this server yet."))
        .ToArray();

    public ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
    {
        Span<byte> requestId = stackalloc byte[RequestId.Length];
        RequestId.Next(requestId);
        response.Headers.Add("x-amz-request-id"u8, requestId);

        S3Route route = S3Router.Route(request.Method, request.Path, request.Query, request.Headers.Contains("x-amz-copy-source"u8));
        ErrorResponse.Write(response, NotImplementedByOperation[(int)route.Operation], request.Path, requestId);
        return ValueTask.CompletedTask;
    }
}
