namespace FastS3.Api;

/// <summary>Where <see cref="S3Application"/> sends one record per request when an access log is kept.</summary>
public interface IAccessLog
{
    /// <summary>
    /// Takes one request's record (an <see cref="AccessLogRecord"/> and its variable parts, made by
    /// <see cref="AccessLogLine"/>; <see cref="AccessLogFormat"/> makes its line). Never blocks and
    /// never throws: a record it cannot keep is dropped and counted.
    /// </summary>
    void Write(ReadOnlySpan<byte> record);
}
