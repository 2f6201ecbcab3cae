using System.Diagnostics;

namespace FastS3.Testing;

/// <summary>
/// Signs a request with botocore's own SigV4 code (an independent implementation), so tests can
/// send hand-made, deliberately broken requests that still authenticate.
/// </summary>
public static class RequestSigner
{
    /// <summary>The signing script (also run by <see cref="PersistentSigner"/>): method, URL, body file, keys, then "name:value" headers.</summary>
    internal const string Script = """
        import sys, warnings
        warnings.filterwarnings("ignore")
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        method, url, body_path, access_key, secret_key = sys.argv[1:6]
        headers = dict(h.split(":", 1) for h in sys.argv[6:])
        data = open(body_path, "rb").read() if body_path else None
        # A given x-amz-content-sha256 (a streaming mode) is signed as is; no body means UNSIGNED-PAYLOAD.
        payload = headers.pop("x-amz-content-sha256", None) or (None if data is not None else "UNSIGNED-PAYLOAD")
        class Signer(S3SigV4Auth):
            def payload(self, request):
                return payload or super().payload(request)
        req = AWSRequest(method=method, url=url, headers=headers, data=data)
        Signer(Credentials(access_key, secret_key), "s3", "us-east-1").add_auth(req)
        for k, v in req.headers.items():
            if k.lower() != "content-length":
                print(f"{k}: {v}")
        """;

    private static readonly Lazy<Task<string>> ScriptPath = new(async () =>
    {
        string path = Path.Combine(Path.GetTempPath(), $"fasts3-sign-{Environment.ProcessId}.py");
        await File.WriteAllTextAsync(path, Script);
        return path;
    });

    /// <summary>
    /// The signed header lines (CRLF-terminated, Host and Content-Length excluded) for a request to
    /// <paramref name="url"/>. With <paramref name="body"/> the payload hash covers it; otherwise
    /// the payload is UNSIGNED-PAYLOAD.
    /// </summary>
    public static async Task<string> SignAsync(string method, Uri url, byte[]? body, params string[] headers)
    {
        string scriptPath = await ScriptPath.Value;
        string bodyPath = "";
        if (body is not null)
        {
            bodyPath = Path.GetTempFileName();
            await File.WriteAllBytesAsync(bodyPath, body);
        }

        try
        {
            var start = new ProcessStartInfo("python3", [scriptPath, method, url.ToString(), bodyPath, AwsCli.AccessKey, AwsCli.SecretKey, .. headers]);
            var (exit, stdout, stderr) = await Processes.RunAsync(start);
            return exit == 0 ? stdout.Replace("\n", "\r\n") : throw new InvalidOperationException(stderr);
        }
        finally
        {
            if (bodyPath.Length > 0)
            {
                File.Delete(bodyPath);
            }
        }
    }
}
