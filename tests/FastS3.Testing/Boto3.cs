using System.Globalization;
using System.Text.Json;

namespace FastS3.Testing;

/// <summary>
/// Runs a python3 snippet against a test server with <c>s3</c>, a boto3 client at its default
/// settings (path style for loopback, us-east-1, no retries, the self-signed certificate accepted),
/// <c>args</c>, the arguments given after the script, and <c>outcome(call)</c>: "accepted" or the
/// status and S3 error code a call was refused with.
/// </summary>
public static class Boto3
{
    private const string Prelude = """
        import json, sys, urllib.parse, warnings, boto3, botocore
        warnings.filterwarnings("ignore")
        s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1",
                          verify=False, config=botocore.config.Config(retries={"max_attempts": 1}))
        args = sys.argv[4:]

        # "accepted", or the HTTP status and S3 error code the call was refused with.
        def outcome(call):
            try:
                call()
                return "accepted"
            except botocore.exceptions.ClientError as e:
                return f'{e.response["ResponseMetadata"]["HTTPStatusCode"]} {e.response["Error"]["Code"]}'

        """;

    /// <summary>
    /// A SigV4 presigned URL for <paramref name="clientMethod"/> ("get_object", "put_object") with
    /// <paramref name="parameters"/> as boto3 takes them (Bucket, Key, ResponseContentDisposition...).
    /// </summary>
    public static async Task<string> PresignAsync(TestServer server, string clientMethod, IReadOnlyDictionary<string, string> parameters, int expiresSeconds = 600)
        => (await RunAsync(server, """
            presigner = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id=sys.argv[2], aws_secret_access_key=sys.argv[3], region_name="us-east-1",
                                     config=botocore.config.Config(signature_version="s3v4"))
            print(presigner.generate_presigned_url(args[0], Params=json.loads(args[1]), ExpiresIn=int(args[2])))
            """, clientMethod, JsonSerializer.Serialize(parameters), expiresSeconds.ToString(CultureInfo.InvariantCulture))).Trim();

    /// <summary>Runs <paramref name="script"/>; throws with its stderr when it fails (an assert's message included).</summary>
    public static async Task<string> RunAsync(TestServer server, string script, params string[] arguments)
    {
        var (exit, stdout, stderr) = await Processes.RunAsync("python3", ["-c", Prelude + script, server.BaseUrl.ToString().TrimEnd('/'), AwsCli.AccessKey, AwsCli.SecretKey, .. arguments]);
        return exit == 0 ? stdout : throw new InvalidOperationException($"boto3 script failed ({exit}): {stderr}");
    }
}
