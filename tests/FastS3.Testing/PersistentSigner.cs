using System.Text.Json;

namespace FastS3.Testing;

/// <summary>
/// <see cref="RequestSigner"/>'s botocore script, run again and again inside long-lived python3
/// processes: the same signatures, without paying for a python start and a botocore import (about a
/// quarter of a second) on every request of tests that send hundreds.
/// </summary>
public static class PersistentSigner
{
    private static readonly PythonWorkers Workers = new("sign", $$"""
        import contextlib, io
        script = compile({{JsonSerializer.Serialize(RequestSigner.Script)}}, "sign.py", "exec")
        def handle(arguments):
            sys.argv = ["sign.py"] + arguments
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(script, {"__name__": "__main__"})
            return out.getvalue()
        """, processes: 2);

    /// <summary>As <see cref="RequestSigner.SignAsync"/>, except that <paramref name="url"/> is signed exactly as escaped (its AbsoluteUri).</summary>
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
            JsonElement signed = await Workers.CallAsync<string[]>([method, url.AbsoluteUri, bodyPath, AwsCli.AccessKey, AwsCli.SecretKey, .. headers], TimeSpan.FromSeconds(30));
            return signed.GetString()!.Replace("\n", "\r\n");
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
