using System.Text;

namespace FastS3.Basics;

/// <summary>
/// An S3 error as clients see it: HTTP status, the &lt;Code&gt; string and its message, with the
/// bytes encoded once so answering an error allocates nothing.
/// </summary>
/// <remarks>
/// The request path's one error channel: a handler, and every helper it calls, returns
/// <c>S3Error?</c> (null: go on) and hands back what it found as its result, an <c>out</c> value or
/// a record, never an error in an <c>out</c>. Returned rather than thrown because refusing hostile
/// input is routine work here: a refusal costs no unwinding and every signature shows it can fail.
/// The one exception is <see cref="S3Exception"/>, for errors found inside a byte stream.
/// </remarks>
public sealed class S3Error
{
    public static readonly S3Error NotImplemented = new(501, "NotImplemented", "A header you provided implies functionality that is not implemented.");

    /// <param name="detail">An element S3 adds after &lt;Message&gt; for some errors (&lt;Region&gt;, &lt;HeadersNotSigned&gt;), with its text.</param>
    public S3Error(int status, string code, string message, (string Name, string Text)? detail = null)
    {
        Status = status;
        Code = code;
        Message = message;
        CodeUtf8 = Encoding.UTF8.GetBytes(code);
        MessageUtf8 = Encoding.UTF8.GetBytes(message);
        if (detail is { } d)
        {
            DetailNameUtf8 = Encoding.UTF8.GetBytes(d.Name);
            DetailTextUtf8 = Encoding.UTF8.GetBytes(d.Text);
        }
    }

    public int Status { get; }

    public string Code { get; }

    public string Message { get; }

    internal byte[] CodeUtf8 { get; }

    internal byte[] MessageUtf8 { get; }

    internal byte[]? DetailNameUtf8 { get; }

    internal byte[]? DetailTextUtf8 { get; }
}
