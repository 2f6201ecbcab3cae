using System.Diagnostics;
using System.Text.Json;

namespace FastS3.Testing;

/// <summary>
/// Runs the real aws-cli against a test server with its default settings (checksums, aws-chunked
/// uploads and all), isolated from any user configuration, credentials as the server expects.
/// </summary>
public static class AwsCli
{
    public const string AccessKey = "fasts3test";
    public const string SecretKey = "fasts3test-secret";

    private static readonly Dictionary<string, string> Variables = new()
    {
        ["AWS_ACCESS_KEY_ID"] = AccessKey,
        ["AWS_SECRET_ACCESS_KEY"] = SecretKey,
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_CONFIG_FILE"] = "/dev/null",
        ["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null",
        ["AWS_MAX_ATTEMPTS"] = "1",
        ["AWS_PAGER"] = "",
        ["PYTHONWARNINGS"] = "ignore",
    };

    // aws-cli's own driver, the code the aws command runs, called again and again. A driver keeps
    // what global options set on its session (--region), so there is one for each region asked for;
    // options that change a session in other ways are refused rather than carried into later calls.
    private static readonly PythonWorkers Drivers = new("aws-cli", """
        import contextlib, io, warnings
        warnings.filterwarnings("ignore")
        from awscli.clidriver import create_clidriver
        drivers = {}
        def handle(arguments):
            if {"--profile", "--debug", "--no-sign-request"} & set(arguments):
                raise ValueError("not for a shared driver: " + " ".join(arguments))
            region = arguments[arguments.index("--region") + 1] if "--region" in arguments else None
            if region not in drivers:
                drivers[region] = create_clidriver()
            out, err = (io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True) for _ in range(2))
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = drivers[region].main(arguments)
                except SystemExit as e:
                    code = e.code if isinstance(e.code, int) else 1
            return {"exit": code, "stdout": out.buffer.getvalue().decode(), "stderr": err.buffer.getvalue().decode()}
        """, processes: 3, Variables);

    /// <summary>Starts the <c>aws</c> command: what the end-to-end tests that prove aws-cli works use.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(Uri endpoint, params string[] arguments)
    {
        var start = new ProcessStartInfo("aws", Arguments(endpoint, arguments));
        foreach ((string variable, string value) in Variables)
        {
            start.Environment[variable] = value;
        }

        return Processes.RunAsync(start, TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// The same command through aws-cli's driver in a python process that stays up (exit code,
    /// stdout and stderr as <c>aws</c> gives them), without a python start and aws-cli's imports for
    /// each command: for tests that use aws-cli as a client rather than test aws-cli itself.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunWarmAsync(Uri endpoint, params string[] arguments)
    {
        JsonElement result = await Drivers.CallAsync(Arguments(endpoint, arguments).ToArray(), TimeSpan.FromMinutes(5));
        return (result.GetProperty("exit").GetInt32(), result.GetProperty("stdout").GetString()!, result.GetProperty("stderr").GetString()!);
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
