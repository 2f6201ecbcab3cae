using System.Globalization;
using System.Text;
using FastS3.Basics;

namespace FastS3.Upstream;

/// <summary>The S3 response documents this client reads, each from <see cref="XmlLeaves"/>.</summary>
internal static class ResponseXml
{
    public static (string? Code, string? Message, string? RequestId) Error(byte[] document)
    {
        string? code = null, message = null, requestId = null;
        try
        {
            foreach ((string parent, string name, string? text) in XmlLeaves.Read(document))
            {
                switch ((parent, name))
                {
                    case ("Error", "Code"): code = text; break;
                    case ("Error", "Message"): message = text; break;
                    case ("Error", "RequestId"): requestId = text; break;
                    default: break;
                }
            }
        }
        catch (System.Xml.XmlException)
        {
            // Not XML (a proxy's HTML page): the status alone must do.
        }

        return (code, message, requestId);
    }

    public static List<UpstreamBucket> Buckets(byte[] document)
    {
        var buckets = new List<UpstreamBucket>();
        string name = "";
        DateTimeOffset created = default;
        foreach ((string parent, string element, string? text) in XmlLeaves.Read(document))
        {
            switch ((parent, element))
            {
                case ("Bucket", "Name"): name = text!; break;
                case ("Bucket", "CreationDate"): created = Date(text!); break;
                case ("Buckets", "Bucket"): buckets.Add(new UpstreamBucket(name, created)); break;
                default: break;
            }
        }

        return buckets;
    }

    /// <summary>ListObjectsV2 asked with encoding-type=url: keys and prefixes are decoded back to bytes.</summary>
    public static ListObjectsPage Objects(byte[] document)
    {
        var objects = new List<ObjectEntry>();
        var prefixes = new List<ReadOnlyMemory<byte>>();
        bool truncated = false;
        string? next = null;
        ReadOnlyMemory<byte> key = default;
        long size = 0;
        string etag = "";
        DateTimeOffset modified = default;
        foreach ((string parent, string name, string? text) in XmlLeaves.Read(document))
        {
            switch ((parent, name))
            {
                case ("ListBucketResult", "IsTruncated"): truncated = text == "true"; break;
                case ("ListBucketResult", "NextContinuationToken"): next = text; break;
                case ("Contents", "Key"): key = UrlDecoded(text!); break;
                case ("Contents", "Size"): size = long.Parse(text!, NumberStyles.None, CultureInfo.InvariantCulture); break;
                case ("Contents", "ETag"): etag = text!; break;
                case ("Contents", "LastModified"): modified = Date(text!); break;
                case ("ListBucketResult", "Contents"): objects.Add(new ObjectEntry(key, size, etag, modified)); break;
                case ("CommonPrefixes", "Prefix"): prefixes.Add(UrlDecoded(text!)); break;
                default: break;
            }
        }

        return new ListObjectsPage(objects, prefixes, truncated, next);
    }

    public static (string ETag, DateTimeOffset LastModified) CopyResult(byte[] document)
    {
        string etag = "";
        DateTimeOffset modified = default;
        foreach ((string parent, string name, string? text) in XmlLeaves.Read(document))
        {
            switch (name)
            {
                case "ETag" when parent is "CopyObjectResult" or "CopyPartResult": etag = text!; break;
                case "LastModified" when parent is "CopyObjectResult" or "CopyPartResult": modified = Date(text!); break;
                default: break;
            }
        }

        return (etag, modified);
    }

    /// <summary>One leaf directly under the root, e.g. UploadId or a completed upload's ETag.</summary>
    public static string Leaf(byte[] document, string root, string leaf)
        => XmlLeaves.Read(document).FirstOrDefault(e => e.Parent == root && e.Name == leaf).Text
            ?? throw new InvalidDataException($"The upstream's {root} has no {leaf}.");

    public static ListPartsPage Parts(byte[] document)
    {
        var parts = new List<PartEntry>();
        bool truncated = false;
        int? next = null;
        int number = 0;
        string etag = "";
        long size = 0;
        DateTimeOffset modified = default;
        foreach ((string parent, string name, string? text) in XmlLeaves.Read(document))
        {
            switch ((parent, name))
            {
                case ("ListPartsResult", "IsTruncated"): truncated = text == "true"; break;
                case ("ListPartsResult", "NextPartNumberMarker"): next = Int(text!); break;
                case ("Part", "PartNumber"): number = Int(text!); break;
                case ("Part", "ETag"): etag = text!; break;
                case ("Part", "Size"): size = long.Parse(text!, NumberStyles.None, CultureInfo.InvariantCulture); break;
                case ("Part", "LastModified"): modified = Date(text!); break;
                case ("ListPartsResult", "Part"): parts.Add(new PartEntry(number, etag, size, modified)); break;
                default: break;
            }
        }

        return new ListPartsPage(parts, truncated, next);
    }

    /// <summary>ListMultipartUploads asked with encoding-type=url.</summary>
    public static ListUploadsPage Uploads(byte[] document)
    {
        var uploads = new List<UploadEntry>();
        var prefixes = new List<ReadOnlyMemory<byte>>();
        bool truncated = false;
        ReadOnlyMemory<byte> nextKey = default, key = default;
        string? nextUploadId = null;
        string uploadId = "";
        DateTimeOffset initiated = default;
        foreach ((string parent, string name, string? text) in XmlLeaves.Read(document))
        {
            switch ((parent, name))
            {
                case ("ListMultipartUploadsResult", "IsTruncated"): truncated = text == "true"; break;
                case ("ListMultipartUploadsResult", "NextKeyMarker"): nextKey = UrlDecoded(text!); break;
                case ("ListMultipartUploadsResult", "NextUploadIdMarker"): nextUploadId = text; break;
                case ("Upload", "Key"): key = UrlDecoded(text!); break;
                case ("Upload", "UploadId"): uploadId = text!; break;
                case ("Upload", "Initiated"): initiated = Date(text!); break;
                case ("ListMultipartUploadsResult", "Upload"): uploads.Add(new UploadEntry(key, uploadId, initiated)); break;
                case ("CommonPrefixes", "Prefix"): prefixes.Add(UrlDecoded(text!)); break;
                default: break;
            }
        }

        return new ListUploadsPage(uploads, prefixes, truncated, nextKey, nextUploadId);
    }

    /// <summary>DeleteObjects in quiet mode: the keys that failed (sent unencoded: S3 has no encoding-type there).</summary>
    public static List<DeleteFailure> DeleteFailures(byte[] document)
    {
        var failures = new List<DeleteFailure>();
        string key = "", code = "", message = "";
        foreach ((string parent, string name, string? text) in XmlLeaves.Read(document))
        {
            switch ((parent, name))
            {
                case ("Error", "Key"): key = text!; break;
                case ("Error", "Code"): code = text!; break;
                case ("Error", "Message"): message = text!; break;
                case ("DeleteResult", "Error"): failures.Add(new DeleteFailure(Encoding.UTF8.GetBytes(key), code, message)); break;
                default: break;
            }
        }

        return failures;
    }

    /// <summary>encoding-type=url text back to the key's bytes ('+' is a space, as AWS and RGW write it).</summary>
    private static byte[] UrlDecoded(string text)
    {
        byte[] encoded = Encoding.UTF8.GetBytes(text);
        int length = UriEncoding.Decode(encoded, encoded, plusIsSpace: true);
        return encoded[..length];
    }

    private static DateTimeOffset Date(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
