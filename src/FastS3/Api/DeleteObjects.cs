using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;
using FastS3.Basics;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// DeleteObjects (POST ?delete): up to 1000 keys in an XML body that must carry Content-MD5 or an
/// x-amz-checksum-* (botocore sends CRC32), answered with what was deleted and what failed; quiet
/// mode reports failures only.
/// </summary>
public sealed class DeleteObjects(Store store)
{
    public const int MaxKeys = 1000;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> DeleteObjectsAsync(S3Call call)
    {
        Bucket? bucket = store.FindBucket(call.BucketName);
        if (bucket is null)
        {
            return S3Errors.NoSuchBucket;
        }

        (S3Error? bodyError, ReadOnlyMemory<byte> body) = await RequestBody.ReadVerifiedAsync(call, RequestXml.MaxBodySize, digestRequired: true);
        if (bodyError is not null)
        {
            return bodyError;
        }

        if (!TryParse(body, out List<RequestedObject> objects, out bool quiet))
        {
            return S3Errors.MalformedXML;
        }

        var outcomes = new List<(byte[] Key, string? VersionId, S3Error? Error)>(objects.Count);
        foreach ((string key, string? versionId) in objects)
        {
            byte[] keyBytes = Encoding.UTF8.GetBytes(key);
            S3Error? refused = keyBytes.Length is 0 or > S3Call.MaxKeyLength ? S3Errors.KeyTooLong
                : versionId is not null && !S3Call.IsNullVersion(Encoding.UTF8.GetBytes(versionId)) ? S3Errors.InvalidVersionId
                : null;
            if (refused is null)
            {
                await bucket.DeleteObjectAsync(keyBytes);
            }

            outcomes.Add((keyBytes, versionId, refused));
        }

        WriteResult(call, outcomes, quiet);
        return null;
    }

    private static void WriteResult(S3Call call, List<(byte[] Key, string? VersionId, S3Error? Error)> outcomes, bool quiet)
    {
        var xml = new XmlBuilder(256 + (outcomes.Count * 64));
        try
        {
            xml.OpenRoot("DeleteResult"u8);
            foreach ((byte[] key, string? versionId, S3Error? error) in outcomes)
            {
                if (error is null && quiet)
                {
                    continue;
                }

                ReadOnlySpan<byte> element = error is null ? "Deleted"u8 : "Error"u8;
                xml.Open(element);
                xml.Element("Key"u8, key);
                if (versionId is not null)
                {
                    xml.Element("VersionId"u8, Encoding.UTF8.GetBytes(versionId));
                }

                if (error is not null)
                {
                    xml.Element("Code"u8, error.CodeUtf8);
                    xml.Element("Message"u8, error.MessageUtf8);
                }

                xml.Close(element);
            }

            xml.Close("DeleteResult"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }
    }

    /// <summary>One &lt;Object&gt; of the request: its key and the version it names, if any.</summary>
    internal readonly record struct RequestedObject(string Key, string? VersionId);

    /// <summary>
    /// The &lt;Object&gt;s of a &lt;Delete&gt; (1 to 1000), each with exactly one &lt;Key&gt; and at most one
    /// &lt;VersionId&gt;, and &lt;Quiet&gt;; false for anything else (MalformedXML).
    /// </summary>
    internal static bool TryParse(ReadOnlyMemory<byte> body, out List<RequestedObject> objects, out bool quiet)
    {
        objects = [];
        quiet = false;
        try
        {
            using var reader = RequestXml.Open(body);
            if (!reader.ReadToFollowing("Delete"))
            {
                return false;
            }

            while (reader.Read())
            {
                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                if (reader.LocalName == "Quiet")
                {
                    quiet = reader.ReadElementContentAsString().Trim().Equals("true", StringComparison.OrdinalIgnoreCase);
                }
                else if (reader.LocalName == "Object")
                {
                    if (!TryReadObject(reader.ReadSubtree(), out RequestedObject requested) || objects.Count == MaxKeys)
                    {
                        return false;
                    }

                    objects.Add(requested);
                }
            }

            return objects.Count > 0;
        }
        catch (XmlException)
        {
            return false;
        }
    }

    private static bool TryReadObject(XmlReader entry, out RequestedObject parsed)
    {
        parsed = default;
        string? key = null;
        string? versionId = null;
        // A second Key or VersionId is malformed; keys keep their whitespace (" a " is not "a").
        bool wellFormed = RequestXml.ForEachChild(entry, (name, text) => name switch
        {
            "Key" => key is null && (key = text) is not null,
            "VersionId" => versionId is null && (versionId = text.Trim()) is not null,
            _ => true,
        });
        if (!wellFormed || key is null)
        {
            return false;
        }

        parsed = new RequestedObject(key, versionId);
        return true;
    }
}
