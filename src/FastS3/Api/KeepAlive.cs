using FastS3.Basics;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// S3's answer to work that can outlast a client's read timeout (CompleteMultipartUpload, CopyObject,
/// UploadPartCopy of large objects): when the work is not done after <see cref="S3Options.KeepAliveDelay"/>,
/// the 200, its headers and the XML declaration go out, then a space every
/// <see cref="S3Options.KeepAliveInterval"/>; the result document, or an &lt;Error&gt; document,
/// ends the body. Clients parse an error inside a 200 as a failure (botocore retries it as a 500).
/// Headers must all be set before <see cref="Start"/>; <see cref="StopAsync"/> must run before the outcome is sent.
/// Disposing stops it too, for the paths that leave before the outcome (an exception before the work's try).
/// </summary>
internal sealed class KeepAlive : IAsyncDisposable
{
    private readonly S3Call _call;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private bool _stopped;

    private KeepAlive(S3Call call, S3Options options)
    {
        _call = call;
        _loop = RunAsync(options.KeepAliveDelay, options.KeepAliveInterval);
    }

    /// <summary>True once the 200 went out: the outcome must then go in the body.</summary>
    public bool Started { get; private set; }

    public static KeepAlive Start(S3Call call, S3Options options) => new(call, options);

    /// <summary>Stops the whitespace, waiting for a write in progress; call before <see cref="Send"/> or <see cref="Fail"/>.</summary>
    public async ValueTask StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    public ValueTask DisposeAsync() => StopAsync();

    /// <summary>Sends the result document: as the body of the early 200, or as a normal response.</summary>
    public void Send(in XmlBuilder result)
    {
        if (Started)
        {
            _call.Response.Write(result.Body);
        }
        else
        {
            result.WriteTo(_call.Response);
        }
    }

    /// <summary>Returns <paramref name="error"/> for the usual error response, or null once it went into the early 200's body.</summary>
    public S3Error? Fail(S3Error error)
    {
        if (!Started)
        {
            return error;
        }

        var xml = new XmlBuilder(256);
        try
        {
            ErrorResponse.Build(ref xml, error, _call.Request.Path, _call.RequestIdBytes);
            _call.Response.Write(xml.Body);
        }
        finally
        {
            xml.Dispose();
        }

        return null;
    }

    /// <summary>
    /// Stops, for an exception out of the work: true when the early 200 went out and the exception is
    /// an S3 error (or a full disk), which then ends the body as an &lt;Error&gt;; false leaves it to
    /// the caller to rethrow (before the 200, that becomes the usual error response).
    /// </summary>
    public async ValueTask<bool> ReportAsync(Exception exception)
    {
        await StopAsync();
        if (!Started || ExceptionErrors.Of(exception) is not { } error)
        {
            return false;
        }

        Fail(error);
        return true;
    }

    private async Task RunAsync(TimeSpan delay, TimeSpan interval)
    {
        try
        {
            await Task.Delay(delay, _stop.Token);
            var response = _call.Response;
            response.StatusCode = 200;
            response.Headers.Add("Content-Type"u8, "application/xml"u8);
            Started = true;
            response.Write(XmlBuilder.Declaration);
            await response.FlushAsync();
            while (true)
            {
                await Task.Delay(interval, _stop.Token);
                response.Write(" "u8);
                await response.FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // Finished: the handler writes the outcome.
        }
        catch (IOException)
        {
            // The client went away; the handler finds out when it writes.
        }
    }
}
