using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FastS3.Testing;

/// <summary>
/// Runs s3cmd against a test server: no configuration file, so its defaults (SigV4, 15 MiB
/// multipart chunks) with the endpoint and credentials on the command line, path style (a
/// host_bucket without <c>%(bucket)s</c>), the server's certificate trusted with <c>--ca-certs</c>.
/// </summary>
public static partial class S3cmd
{
    /// <summary>s3cmd's output, or the S3 error it reported ("ERROR: S3 error: 403 (AccessDenied): message").</summary>
    public static Task<string> RunAsync(TestServer server, params string[] arguments)
    {
        string endpoint = server.BaseUrl.Authority;
        return ClientCommands.RunAsync(
            new ProcessStartInfo("s3cmd", [
                "--config", "/dev/null", "--access_key", AwsCli.AccessKey, "--secret_key", AwsCli.SecretKey, "--region", "us-east-1",
                "--host", endpoint, "--host-bucket", endpoint, "--ssl", "--ca-certs", server.CertificatePath, .. arguments]),
            SurfacedError());
    }

    [GeneratedRegex(@"ERROR: S3 error: (?<status>\d+) \((?<code>\w+)\)(?::\s*(?<message>[^\n]*))?")]
    private static partial Regex SurfacedError();
}
