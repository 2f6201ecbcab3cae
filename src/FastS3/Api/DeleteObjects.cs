using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;
using FastS3.Storage;
using FastS3.Storage.Index;
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

        if (call.Checksums.Parse(call.Request) is { } checksumError)
        {
            return checksumError;
        }

        if (!call.Checksums.HasContentMd5 && !call.Checksums.HasExpectedChecksum)
        {
            return S3Errors.MissingContentDigest;
        }

        var body = new ArrayBufferWriter<byte>();
        await call.Request.Body.ReadToEndAsync(body, RequestXml.MaxBodySize);
        call.Hasher.Begin(call.Checksums, md5: false, sha256: call.Signature.Payload == Auth.PayloadMode.Sha256);
        call.Hasher.Append(body.WrittenSpan);
        call.Hasher.Finish();
        if (call.Hasher.Verify(call.Checksums, call.Signature) is { } mismatch)
        {
            return mismatch;
        }

        if (!TryParse(body.WrittenMemory, out List<string> keys, out bool quiet))
        {
            return S3Errors.MalformedXML;
        }

        var outcomes = new List<(byte[] Key, S3Error? Error)>(keys.Count);
        foreach (string key in keys)
        {
            byte[] keyBytes = Encoding.UTF8.GetBytes(key);
            if (keyBytes.Length is 0 or > S3Call.MaxKeyLength)
            {
                outcomes.Add((keyBytes, S3Errors.KeyTooLong));
                continue;
            }

            IndexWriteResult result = await bucket.Index.DeleteAsync(keyBytes);
            await bucket.DeleteDataOfAsync(result.Previous);
            outcomes.Add((keyBytes, null));
        }

        WriteResult(call, outcomes, quiet);
        return null;
    }

    private static void WriteResult(S3Call call, List<(byte[] Key, S3Error? Error)> outcomes, bool quiet)
    {
        var xml = new XmlBuilder(256 + (outcomes.Count * 64));
        try
        {
            xml.OpenRoot("DeleteResult"u8);
            foreach ((byte[] key, S3Error? error) in outcomes)
            {
                if (error is not null)
                {
                    xml.Open("Error"u8);
                    xml.Element("Key"u8, key);
                    xml.Element("Code"u8, error.CodeUtf8);
                    xml.Element("Message"u8, error.MessageUtf8);
                    xml.Close("Error"u8);
                }
                else if (!quiet)
                {
                    xml.Open("Deleted"u8);
                    xml.Element("Key"u8, key);
                    xml.Close("Deleted"u8);
                }
            }

            xml.Close("DeleteResult"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }
    }

    internal static bool TryParse(ReadOnlyMemory<byte> body, out List<string> keys, out bool quiet)
    {
        keys = [];
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
                else if (reader.LocalName == "Key")
                {
                    // Keys keep their whitespace: " a " is a different key from "a".
                    keys.Add(reader.ReadElementContentAsString());
                    if (keys.Count > MaxKeys)
                    {
                        return false;
                    }
                }
            }

            return keys.Count > 0;
        }
        catch (XmlException)
        {
            return false;
        }
    }
}
