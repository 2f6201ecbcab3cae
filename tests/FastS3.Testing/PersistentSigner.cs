namespace FastS3.Testing;

/// <summary>
/// Signs a request with botocore's own SigV4 code (an independent implementation), so tests can
/// send hand-made, deliberately broken requests that still authenticate. The signer runs in
/// long-lived python3 processes: no python start and botocore import (about a quarter of a second)
/// on every request of tests that send hundreds.
/// </summary>
public static class PersistentSigner
{
    private static readonly PythonWorkers Workers = new("sign", """
        import warnings
        warnings.filterwarnings("ignore")
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        def handle(arguments):
            method, url, body_path, access_key, secret_key = arguments[:5]
            headers = dict(h.split(":", 1) for h in arguments[5:])
            data = open(body_path, "rb").read() if body_path else None
            # A given x-amz-content-sha256 (a streaming mode) is signed as is; no body means UNSIGNED-PAYLOAD.
            payload = headers.pop("x-amz-content-sha256", None) or (None if data is not None else "UNSIGNED-PAYLOAD")
            class Signer(S3SigV4Auth):
                def payload(self, request):
                    return payload or super().payload(request)
            req = AWSRequest(method=method, url=url, headers=headers, data=data)
            Signer(Credentials(access_key, secret_key), "s3", "us-east-1").add_auth(req)
            return "".join(f"{k}: {v}\r\n" for k, v in req.headers.items() if k.lower() != "content-length")
        """, processes: 2);

    /// <summary>
    /// The signed header lines (CRLF-terminated, Host and Content-Length excluded) for a request to
    /// <paramref name="url"/>, signed exactly as escaped (its AbsoluteUri). With <paramref name="body"/>
    /// the payload hash covers it; otherwise the payload is UNSIGNED-PAYLOAD.
    /// </summary>
    public static async Task<string> SignAsync(string method, Uri url, byte[]? body, params string[] headers)
    {
        string bodyPath = "";
        if (body is not null)
        {
            bodyPath = Path.GetTempFileName();
            await File.WriteAllBytesAsync(bodyPath, body);
        }

        try
        {
            return (await Workers.CallAsync<string[]>([method, url.AbsoluteUri, bodyPath, AwsCli.AccessKey, AwsCli.SecretKey, .. headers], TimeSpan.FromSeconds(30))).GetString()!;
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
