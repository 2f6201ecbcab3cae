using System.Diagnostics;

namespace FastS3.Testing;

/// <summary>
/// Runs the real aws-cli against a test server with its default settings (checksums, aws-chunked
/// uploads and all), isolated from any user configuration, credentials as the server expects.
/// </summary>
public static class AwsCli
{
    public const string AccessKey = "fasts3test";
    public const string SecretKey = "fasts3test-secret";

    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(Uri endpoint, params string[] arguments)
    {
        var start = new ProcessStartInfo("aws");
        foreach (string argument in Arguments(endpoint, arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AWS_ACCESS_KEY_ID"] = AccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = SecretKey;
        start.Environment["AWS_DEFAULT_REGION"] = "us-east-1";
        start.Environment["AWS_CONFIG_FILE"] = "/dev/null";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null";
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.Environment["AWS_PAGER"] = "";
        start.Environment["PYTHONWARNINGS"] = "ignore";
        return Processes.RunAsync(start, TimeSpan.FromMinutes(5));
    }

    private static IEnumerable<string> Arguments(Uri endpoint, string[] arguments)
    {
        // Global options go after the command; aws accepts them anywhere.
        foreach (string argument in arguments)
        {
            yield return argument;
        }

        yield return "--endpoint-url";
        yield return endpoint.ToString().TrimEnd('/');
        if (endpoint.Scheme == "https")
        {
            yield return "--no-verify-ssl";
        }

        yield return "--cli-read-timeout";
        yield return "60";
    }
}
