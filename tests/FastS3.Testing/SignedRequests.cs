using System.Text;
using System.Xml.Linq;

namespace FastS3.Testing;

/// <summary>
/// Hand-made requests to a running server, signed as botocore signs them (<see cref="PersistentSigner"/>),
/// each on a connection of its own, answered as <see cref="RawClient"/> reads them: for tests that
/// assert exact statuses, headers and error codes.
/// </summary>
public static class SignedRequests
{
    private const int ExpectContinueSize = 1024 * 1024;

    /// <summary>Sends <paramref name="body"/> with an UNSIGNED-PAYLOAD signature; <paramref name="headers"/> are "name:value".</summary>
    public static Task<RawResponse> SendAsync(TestServer server, string method, string pathAndQuery, byte[] body, params string[] headers)
        => SendAsync(server, method, pathAndQuery, body, signPayload: false, headers);

    /// <summary>
    /// Sends a request; with <paramref name="signPayload"/> the signature covers the body's SHA-256.
    /// <paramref name="pathAndQuery"/> goes on the request line and into the signature exactly as given (escape it).
    /// Bodies of 1 MiB and more wait for 100 Continue, as botocore's do: a request refused
    /// before its body is read gets its answer instead of a connection reset mid-body.
    /// </summary>
    public static async Task<RawResponse> SendAsync(TestServer server, string method, string pathAndQuery, byte[] body, bool signPayload, string[] headers, int timeoutSeconds = 30)
    {
        bool expectContinue = body.Length >= ExpectContinueSize;
        string signed = await PersistentSigner.SignAsync(method, new Uri(server.BaseUrl, pathAndQuery), signPayload ? body : null, headers);
        using RawClient client = await RawClient.ConnectAsync(server.BaseUrl.Port, tls: server.BaseUrl.Scheme == "https");
        string head = $"{method} {pathAndQuery} HTTP/1.1\r\nHost: {server.BaseUrl.Authority}\r\nContent-Length: {body.Length}\r\n{(expectContinue ? "Expect: 100-continue\r\n" : "")}{signed}\r\n";
        if (!expectContinue)
        {
            await client.SendAsync([.. Encoding.ASCII.GetBytes(head), .. body]);
            return await client.ReadResponseAsync(head: method == "HEAD", timeoutSeconds);
        }

        await client.SendAsync(head);
        RawResponse interim = await client.ReadResponseAsync(timeoutSeconds: timeoutSeconds);
        if (interim.Status != 100)
        {
            return interim;
        }

        await client.SendAsync(body);
        return await client.ReadResponseAsync(head: method == "HEAD", timeoutSeconds);
    }

    /// <summary>A key as a request path: each segment percent-encoded, '/' kept, as clients send keys (and the canonical URI has them).</summary>
    public static string KeyPath(string key) => string.Join('/', key.Split('/').Select(Uri.EscapeDataString));

    /// <summary>The text of every element named <paramref name="name"/> (any namespace) in the XML body, in document order.</summary>
    public static List<string> XmlValues(this RawResponse response, string name)
        => response.Body.Length == 0
            ? []
            : XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Descendants().Where(e => e.Name.LocalName == name).Select(e => e.Value).ToList();

    /// <summary>The one element named <paramref name="name"/>; throws when there is not exactly one.</summary>
    public static string XmlValue(this RawResponse response, string name)
        => response.XmlValues(name) is [string value] ? value : throw new InvalidOperationException($"expected one <{name}> in: {response.BodyText}");

    /// <summary>The &lt;Code&gt; of an &lt;Error&gt; body, or null when the body is not one.</summary>
    public static string? ErrorCode(this RawResponse response)
    {
        if (response.Body.Length == 0)
        {
            return null;
        }

        XElement root = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root!;
        return root.Name.LocalName == "Error" ? root.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value : null;
    }

    /// <summary>Status, headers and body, for assertion messages.</summary>
    public static string Describe(this RawResponse response)
        => $"{response.Status} [{string.Join(", ", response.Headers.Select(h => $"{h.Key}: {h.Value}"))}] {(response.Body.Length > 2000 ? $"({response.Body.Length} bytes)" : response.BodyText)}";
}
