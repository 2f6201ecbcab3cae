namespace FastS3.Api;

/// <summary>How operations are named outside the server, computed once: the access log's <c>operation</c> and the metrics' <c>api</c> label.</summary>
public static class OperationNames
{
    /// <summary>Every operation the router can name, <see cref="S3Operation.NotImplemented"/> included.</summary>
    public static readonly S3Operation[] All = Enum.GetValues<S3Operation>();

    public static readonly int Count = All.Max(o => (int)o) + 1;

    private static readonly byte[][] Names = Build(o => System.Text.Encoding.ASCII.GetBytes(o.ToString()));

    private static readonly string[] Labels = Build(o => MinioApi(o) ?? o.ToString().ToLowerInvariant());

    /// <summary>The operation's name as S3 documents it (GetObject), in ASCII: the access log writes bytes.</summary>
    public static ReadOnlySpan<byte> Of(S3Operation operation) => Names[(int)operation];

    /// <summary>
    /// MinIO's name for the API (its handler's name in lower case: getobject, putobjectpart), so its
    /// dashboards and alerts match; ours in lower case where MinIO has no such API (notimplemented).
    /// </summary>
    public static string ApiLabel(S3Operation operation) => Labels[(int)operation];

    /// <summary>Where MinIO's handler is named otherwise than the S3 operation; the rest agree once lower-cased.</summary>
    private static string? MinioApi(S3Operation operation) => operation switch
    {
        S3Operation.CreateBucket => "putbucket",
        S3Operation.DeleteObjects => "deletemultipleobjects",
        S3Operation.CreateMultipartUpload => "newmultipartupload",
        S3Operation.UploadPart => "putobjectpart",
        S3Operation.UploadPartCopy => "copyobjectpart",
        S3Operation.ListParts => "listobjectparts",
        _ => null,
    };

    private static T[] Build<T>(Func<S3Operation, T> name)
    {
        var names = new T[Count];
        foreach (S3Operation operation in All)
        {
            names[(int)operation] = name(operation);
        }

        return names;
    }
}
