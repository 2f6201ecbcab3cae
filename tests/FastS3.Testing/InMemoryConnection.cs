using System.IO.Pipelines;
using System.Text;

namespace FastS3.Testing;

/// <summary>Runs the real connection loop over a <see cref="SegmentedPipeReader"/> and collects what it wrote.</summary>
public static class InMemoryConnection
{
    public static async Task<string> RunAsync(IHttpApplication app, PipeReader input, HttpLimits? limits = null)
    {
        var server = new HttpServer(new HttpServerOptions { Limits = limits ?? new HttpLimits() }, app);
        var output = new Pipe();
        Task serve = server.ServeAsync(input, output.Writer);
        using var collected = new MemoryStream();
        await output.Reader.CopyToAsync(collected).WaitAsync(TimeSpan.FromSeconds(10));
        await serve.WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.Latin1.GetString(collected.ToArray());
    }

    public static Task<string> RunAsync(IHttpApplication app, byte[] request, HttpLimits? limits = null)
        => RunAsync(app, SegmentedPipeReader.SplitAt(request), limits);

    public static Task<string> RunAsync(IHttpApplication app, string request, HttpLimits? limits = null)
        => RunAsync(app, Encoding.Latin1.GetBytes(request), limits);
}
