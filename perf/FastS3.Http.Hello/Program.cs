using System.Net;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Runtime;
using System.Security.Cryptography.X509Certificates;
using FastS3.Http;
using FastS3.Perf;

// Serves "hello" (5 bytes, text/plain) for every request, over HTTP and HTTPS on 127.0.0.1.
// Usage: FastS3.Http.Hello --http PORT --https PORT --cert CERT.pem --key KEY.pem
var (httpPort, httpsPort, certPath, keyPath) = HelloArgs.Parse(args);

using X509Certificate2 certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
SslStreamCertificateContext certificateContext = SslStreamCertificateContext.Create(certificate, null, offline: true);

var application = new HelloApplication();
var limits = new HttpLimits { ShutdownTimeout = TimeSpan.FromSeconds(2) };

// One HttpServer holds one Certificate setting: a plain server and a TLS server.
var log = new ConsoleServerLog();
var plainOptions = new HttpServerOptions { Limits = limits, Log = log };
plainOptions.EndPoints.Add(new IPEndPoint(IPAddress.Loopback, httpPort));
var tlsOptions = new HttpServerOptions { Limits = limits, Log = log, Certificate = certificateContext };
tlsOptions.EndPoints.Add(new IPEndPoint(IPAddress.Loopback, httpsPort));

var plain = new HttpServer(plainOptions, application);
var tls = new HttpServer(tlsOptions, application);
plain.Start();
tls.Start();

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
void OnSignal(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}

using PosixSignalRegistration sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using PosixSignalRegistration sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

Console.WriteLine(
    $"FastS3.Http.Hello listening on http://{plain.EndPoints[0]} and https://{tls.EndPoints[0]} " +
    $"(ServerGC={GCSettings.IsServerGC}, LatencyMode={GCSettings.LatencyMode}, .NET {Environment.Version})");

await stop.Task;
long stopStart = Environment.TickCount64;
await Task.WhenAll(plain.StopAsync(), tls.StopAsync());
Console.WriteLine($"FastS3.Http.Hello stopped in {Environment.TickCount64 - stopStart} ms");

internal sealed class HelloApplication : IHttpApplication
{
    private static ReadOnlySpan<byte> Body => "hello"u8;

    public ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
    {
        response.ContentLength = Body.Length;
        response.Headers.Add("Content-Type"u8, "text/plain"u8);
        response.Write(Body);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Transport warnings and errors go to stderr, so a load run shows them.</summary>
internal sealed class ConsoleServerLog : IServerLog
{
    public void Info(string message) => Console.Error.WriteLine($"info: {message}");

    public void Warning(string message) => Console.Error.WriteLine($"warning: {message}");

    public void Error(string message, Exception? exception = null)
        => Console.Error.WriteLine($"error: {message}{(exception is null ? "" : Environment.NewLine + exception)}");
}
