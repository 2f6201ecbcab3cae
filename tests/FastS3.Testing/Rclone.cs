using System.Diagnostics;
using System.Text.RegularExpressions;

namespace FastS3.Testing;

/// <summary>
/// Runs rclone against a test server through an S3 remote named <see cref="Remote"/> (provider
/// Other: path style), defined in the environment as rclone reads it and isolated from any user
/// configuration; the server's certificate trusted with <c>--ca-cert</c>, one try per command.
/// </summary>
public static partial class Rclone
{
    public const string Remote = "fasts3:";

    /// <summary>rclone's output, or the S3 error it reported (aws-sdk-go's "Code: message\n\tstatus code: N").</summary>
    public static Task<string> RunAsync(TestServer server, params string[] arguments)
    {
        var start = new ProcessStartInfo("rclone", ["--ca-cert", server.CertificatePath, "--retries", "1", "--low-level-retries", "1", .. arguments]);
        start.Environment["RCLONE_CONFIG"] = "/dev/null";
        start.Environment["RCLONE_CONFIG_FASTS3_TYPE"] = "s3";
        start.Environment["RCLONE_CONFIG_FASTS3_PROVIDER"] = "Other";
        start.Environment["RCLONE_CONFIG_FASTS3_ENDPOINT"] = server.BaseUrl.ToString();
        start.Environment["RCLONE_CONFIG_FASTS3_REGION"] = "us-east-1";
        start.Environment["RCLONE_CONFIG_FASTS3_ACCESS_KEY_ID"] = AwsCli.AccessKey;
        start.Environment["RCLONE_CONFIG_FASTS3_SECRET_ACCESS_KEY"] = AwsCli.SecretKey;

        // The machine's bundle is named here; with AWS_CA_BUNDLE set, the AWS SDK inside rclone
        // refuses rclone's own HTTP transport and no command runs.
        start.Environment.Remove("AWS_CA_BUNDLE");
        return ClientCommands.RunAsync(start, SurfacedError());
    }

    [GeneratedRegex(@"(?<code>\w+): (?<message>[^:\n]*)\n\tstatus code: (?<status>\d+)")]
    private static partial Regex SurfacedError();
}
