using System.Text;

namespace FastS3.Testing;

/// <summary>
/// The multipart steps as signed raw requests (see <see cref="SignedRequests"/>). The steps a test
/// only sets up with throw when the server refuses them; Complete hands back the response to assert on.
/// Keys must be URL-safe as given.
/// </summary>
public static class RawMultipart
{
    /// <summary>A part as Complete lists it; <paramref name="Checksum"/> is ("CRC32", base64) and such, or null.</summary>
    public sealed record Part(int Number, string ETag, (string Algorithm, string Value)? Checksum = null);

    public static async Task CreateBucketAsync(TestServer server, string bucket)
        => Expect(await SignedRequests.SendAsync(server, "PUT", $"/{bucket}", []), 200, "CreateBucket");

    public static async Task PutObjectAsync(TestServer server, string bucket, string key, byte[] data, params string[] headers)
        => Expect(await SignedRequests.SendAsync(server, "PUT", $"/{bucket}/{key}", data, headers), 200, "PutObject");

    /// <summary>CreateMultipartUpload; returns the upload id.</summary>
    public static async Task<string> CreateAsync(TestServer server, string bucket, string key, params string[] headers)
    {
        RawResponse response = await SignedRequests.SendAsync(server, "POST", $"/{bucket}/{key}?uploads", [], headers);
        Expect(response, 200, "CreateMultipartUpload");
        return response.XmlValue("UploadId");
    }

    public static Task<RawResponse> UploadPartRawAsync(TestServer server, string bucket, string key, string uploadId, string partNumber, byte[] data, params string[] headers)
        => SignedRequests.SendAsync(server, "PUT", $"/{bucket}/{key}?partNumber={partNumber}&uploadId={uploadId}", data, headers);

    /// <summary>UploadPart; returns the part's ETag (quoted, as Complete wants it).</summary>
    public static async Task<string> UploadPartAsync(TestServer server, string bucket, string key, string uploadId, int partNumber, byte[] data, params string[] headers)
    {
        RawResponse response = await UploadPartRawAsync(server, bucket, key, uploadId, partNumber.ToString(), data, headers);
        Expect(response, 200, $"UploadPart {partNumber}");
        return response.Headers["ETag"];
    }

    /// <summary>The CompleteMultipartUpload document for <paramref name="parts"/>, in the order given.</summary>
    public static string CompleteXml(IEnumerable<Part> parts)
    {
        var xml = new StringBuilder("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        foreach (Part part in parts)
        {
            xml.Append($"<Part><ETag>{part.ETag.Replace("\"", "&quot;")}</ETag>");
            if (part.Checksum is (string algorithm, string value))
            {
                xml.Append($"<Checksum{algorithm}>{value}</Checksum{algorithm}>");
            }

            xml.Append($"<PartNumber>{part.Number}</PartNumber></Part>");
        }

        return xml.Append("</CompleteMultipartUpload>").ToString();
    }

    /// <summary>CompleteMultipartUpload with <paramref name="document"/> as the (payload-signed) body.</summary>
    public static Task<RawResponse> CompleteAsync(TestServer server, string bucket, string key, string uploadId, string document, params string[] headers)
        => SignedRequests.SendAsync(server, "POST", $"/{bucket}/{key}?uploadId={uploadId}", Encoding.UTF8.GetBytes(document), signPayload: true, headers, timeoutSeconds: 120);

    public static Task<RawResponse> CompleteAsync(TestServer server, string bucket, string key, string uploadId, IEnumerable<Part> parts, params string[] headers)
        => CompleteAsync(server, bucket, key, uploadId, CompleteXml(parts), headers);

    public static Task<RawResponse> AbortAsync(TestServer server, string bucket, string key, string uploadId)
        => SignedRequests.SendAsync(server, "DELETE", $"/{bucket}/{key}?uploadId={uploadId}", []);

    public static Task<RawResponse> ListPartsAsync(TestServer server, string bucket, string key, string uploadId, string extraQuery = "", params string[] headers)
        => SignedRequests.SendAsync(server, "GET", $"/{bucket}/{key}?uploadId={uploadId}{extraQuery}", [], headers);

    /// <summary>The object's bytes (or the part or range asked for), with a long read timeout for big objects.</summary>
    public static Task<RawResponse> GetAsync(TestServer server, string bucket, string key, string query = "", params string[] headers)
        => SignedRequests.SendAsync(server, "GET", $"/{bucket}/{key}{query}", [], signPayload: false, headers, timeoutSeconds: 120);

    private static void Expect(RawResponse response, int status, string what)
    {
        if (response.Status != status)
        {
            throw new InvalidOperationException($"{what}: expected {status}, got {response.Describe()}");
        }
    }
}
