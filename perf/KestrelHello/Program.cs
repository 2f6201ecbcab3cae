using System.Net;
using System.Runtime;
using System.Security.Cryptography.X509Certificates;
using FastS3.Perf;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// Serves "hello" (5 bytes, text/plain) for every request, over HTTP and HTTPS on 127.0.0.1, HTTP/1.1 only;
// HELLO_BODY_BYTES=N serves N bytes instead (the static-body baseline of perf/run-comparison.sh).
// Usage: KestrelHello --http PORT --https PORT --cert CERT.pem --key KEY.pem
var (httpPort, httpsPort, certPath, keyPath) = HelloArgs.Parse(args);

using X509Certificate2 certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);

// Our arguments are not configuration: keep them away from the builder.
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder([]);
builder.Logging.ClearProviders();
builder.WebHost.UseKestrelHttpsConfiguration();
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.Listen(IPAddress.Loopback, httpPort, o => o.Protocols = HttpProtocols.Http1);
    kestrel.Listen(IPAddress.Loopback, httpsPort, o =>
    {
        o.Protocols = HttpProtocols.Http1;
        o.UseHttps(certificate);
    });
});

WebApplication app = builder.Build();
ReadOnlyMemory<byte> body = Environment.GetEnvironmentVariable("HELLO_BODY_BYTES") is { } size
    ? Enumerable.Repeat((byte)'x', int.Parse(size, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
    : "hello"u8.ToArray();
app.Run(context =>
{
    context.Response.ContentLength = body.Length;
    context.Response.ContentType = "text/plain";
    return context.Response.Body.WriteAsync(body).AsTask();
});

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine(
    $"KestrelHello listening on http://127.0.0.1:{httpPort} and https://127.0.0.1:{httpsPort} " +
    $"(ServerGC={GCSettings.IsServerGC}, LatencyMode={GCSettings.LatencyMode}, .NET {Environment.Version})"));

await app.RunAsync();
Console.WriteLine("KestrelHello stopped");
