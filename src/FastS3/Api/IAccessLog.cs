namespace FastS3.Api;

/// <summary>Where <see cref="S3Application"/> sends one line per request when an access log is kept.</summary>
public interface IAccessLog
{
    /// <summary>Takes one line (a JSON object and '\n'). Never blocks and never throws: a line it cannot keep is dropped and counted.</summary>
    void Write(ReadOnlySpan<byte> line);
}
