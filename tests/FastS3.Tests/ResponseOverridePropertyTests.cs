using System.Text;
using CsCheck;
using FastS3.Api;
using FastS3.Http;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// Whatever text a response-* value holds, through the real connection loop: it is refused exactly
/// when ISO-8859-1 cannot carry it, it holds a control character or it is too long, and otherwise
/// its header is that text in ISO-8859-1, alone on its line; any bytes at all in a query are
/// answered, never thrown on.
/// </summary>
public class ResponseOverridePropertyTests
{
    // Controls, Latin-1 and what lies past it (no surrogates: the text is percent-encoded as UTF-8).
    private static readonly Gen<string> Value = Gen.OneOf(Gen.Char['\0', '\u00FF'], Gen.Char['\u0100', '\u07FF'], Gen.Char.AlphaNumeric).Array[0, 40]
        .Select(chars => new string(chars));

    [Fact]
    public void ValuesAreRefusedOrSentAsTheirIso88591Text()
    {
        Value.Sample(value =>
        {
            string encoded = Uri.EscapeDataString(value);
            string answer = Serve("response-content-disposition=" + encoded + "&X-Amz-Date=20261207T000000Z");
            bool representable = value.All(c => c <= '\u00FF' && (c >= ' ' || c == '\t') && c != '\u007F') && encoded.Length <= ResponseOverrides.MaxValueLength;
            if (!representable)
            {
                Assert.StartsWith("HTTP/1.1 400 ", answer);
            }
            else if (value.Length == 0)
            {
                Assert.DoesNotContain("Content-Disposition", answer);
            }
            else
            {
                Assert.StartsWith("HTTP/1.1 200 ", answer);
                Assert.Contains("\r\nContent-Disposition: " + value + "\r\n", answer);
            }
        }, iter: 2_000);
    }

    [Fact]
    public void AnyQueryIsAnswered()
    {
        Gen.Byte[(byte)'!', (byte)'~'].Array[0, 120].Sample(query =>
        {
            string answer = Serve("response-content-type=" + Encoding.ASCII.GetString(query));
            Assert.Matches(@"^HTTP/1\.1 (200|400) ", answer);
        }, iter: 2_000);
    }

    private static string Serve(string query)
        => InMemoryConnection.RunAsync(new OverridesOnly(), $"GET /bucket/key?{query} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").GetAwaiter().GetResult();

    /// <summary>Answers with the request's overrides alone, 400 when they are refused.</summary>
    private sealed class OverridesOnly : IHttpApplication
    {
        public ValueTask ProcessAsync(HttpRequest request, HttpResponse response)
        {
            if (ResponseOverrides.Parse(request.Query, authenticated: true, out ResponseOverrides overrides) is { } refused)
            {
                response.StatusCode = refused.Status;
            }
            else
            {
                overrides.Write(request.Query, response);
            }

            return ValueTask.CompletedTask;
        }
    }
}
