using System.Text;

namespace FastS3.Basics;

/// <summary>
/// An S3 error as clients see it: HTTP status, the &lt;Code&gt; string and its message, with the
/// bytes encoded once so answering an error allocates nothing.
/// </summary>
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
