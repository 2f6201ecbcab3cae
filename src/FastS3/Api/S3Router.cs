using System.Buffers.Text;
using System.Runtime.CompilerServices;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// What the request asks for, where its bucket (in the path, or at the start of the Host header
/// for virtual-host-style requests) and key (in the path) are, and the parameters that name a part
/// or an upload, parsed.
/// </summary>
public readonly record struct S3Route(S3Operation Operation, int BucketStart, int BucketLength, int KeyStart, int KeyLength, bool BucketInHost = false)
{
    public bool HasBucket => BucketLength > 0;

    public bool HasKey => KeyLength > 0;

    /// <summary>?partNumber: 1–10000, 0 when absent, -1 when it is anything else (InvalidArgument where a part is read or written).</summary>
    public int PartNumber { get; init; }

    /// <summary>?uploadId as its 16 bytes, when <see cref="HasUploadId"/>: absent or not the form of one of ours, it names no upload.</summary>
    public UploadIdBytes UploadId { get; init; }

    public bool HasUploadId { get; init; }
}

/// <summary>An upload id's 16 bytes, held in the route without an array.</summary>
[InlineArray(MultipartUploads.UploadIdSize)]
public struct UploadIdBytes
{
    private byte _first;
}

/// <summary>
/// A pure function from (method, raw path, raw query, copy-source present, bucket named by the Host)
/// to an <see cref="S3Route"/>, over bytes, allocating nothing. Path style: "/", "/bucket",
/// "/bucket/key..."; virtual-host style ("bucket.domain"): "/" and "/key...". Query parameters are
/// matched by their raw names, which clients never percent-encode; the values of partNumber and
/// uploadId are decoded and parsed here, once, for every handler that needs them.
/// </summary>
public static class S3Router
{
    public static S3Route Route(HttpMethod method, ReadOnlySpan<byte> path, ReadOnlySpan<byte> query, bool hasCopySource, int hostBucketLength = 0)
    {
        if (hostBucketLength > 0)
        {
            var hostSubresources = Subresources.Parse(query);
            int length = path.Length - 1;
            S3Operation hostOperation = length == 0 ? RouteBucket(method, hostSubresources) : RouteObject(method, hostSubresources, hasCopySource);
            return hostSubresources.Complete(new S3Route(hostOperation, 0, hostBucketLength, 1, length, BucketInHost: true));
        }

        // path always starts with '/': the transport accepts origin-form targets only.
        ReadOnlySpan<byte> rest = path.Length > 0 ? path[1..] : path;
        int slash = rest.IndexOf((byte)'/');
        int bucketLength = slash < 0 ? rest.Length : slash;
        int keyStart = slash < 0 ? path.Length : slash + 2;
        int keyLength = path.Length - keyStart;

        var subresources = Subresources.Parse(query);
        S3Operation operation = bucketLength == 0
            ? RouteService(method, subresources)
            : keyLength == 0
                ? RouteBucket(method, subresources)
                : RouteObject(method, subresources, hasCopySource);

        return subresources.Complete(new S3Route(operation, bucketLength == 0 ? 0 : 1, bucketLength, keyStart, keyLength));
    }

    private static S3Operation RouteService(HttpMethod method, Subresources q)
        => method == HttpMethod.Get && !q.Unsupported ? S3Operation.ListBuckets : S3Operation.NotImplemented;

    private static S3Operation RouteBucket(HttpMethod method, Subresources q)
    {
        if (q.Unsupported)
        {
            return S3Operation.NotImplemented;
        }

        return method switch
        {
            _ when q.Attributes => S3Operation.NotImplemented,
            HttpMethod.Get when q.Acl => S3Operation.GetBucketAcl,
            HttpMethod.Put when q.Acl => S3Operation.PutBucketAcl,
            HttpMethod.Get when q.Versioning => S3Operation.GetBucketVersioning,
            HttpMethod.Get when q.Tagging => S3Operation.GetBucketTagging,
            HttpMethod.Put when q.Tagging => S3Operation.PutBucketTagging,
            HttpMethod.Delete when q.Tagging => S3Operation.DeleteBucketTagging,
            HttpMethod.Get when q.Encryption => S3Operation.GetBucketEncryption,
            HttpMethod.Put when q.Encryption => S3Operation.PutBucketEncryption,
            HttpMethod.Delete when q.Encryption => S3Operation.DeleteBucketEncryption,
            _ when q.Acl || q.Versioning || q.Tagging || q.Encryption => S3Operation.NotImplemented,
            HttpMethod.Get when q.Location => S3Operation.GetBucketLocation,
            HttpMethod.Get when q.Uploads => S3Operation.ListMultipartUploads,
            HttpMethod.Get when q.Versions => S3Operation.ListObjectVersions,
            HttpMethod.Get when q.ListTypeV2 => S3Operation.ListObjectsV2,
            HttpMethod.Get when !q.Any => S3Operation.ListObjectsV1,
            HttpMethod.Put when !q.Any => S3Operation.CreateBucket,
            HttpMethod.Head when !q.Any => S3Operation.HeadBucket,
            HttpMethod.Delete when !q.Any => S3Operation.DeleteBucket,
            HttpMethod.Post when q.Delete => S3Operation.DeleteObjects,
            _ => S3Operation.NotImplemented,
        };
    }

    private static S3Operation RouteObject(HttpMethod method, Subresources q, bool hasCopySource)
    {
        if (q.Unsupported)
        {
            return S3Operation.NotImplemented;
        }

        return method switch
        {
            HttpMethod.Get when q.Attributes && !q.UploadId && !q.Acl => S3Operation.GetObjectAttributes,
            _ when q.Attributes => S3Operation.NotImplemented,
            HttpMethod.Get when q.Acl && !q.UploadId => S3Operation.GetObjectAcl,
            HttpMethod.Put when q.Acl && !q.UploadId => S3Operation.PutObjectAcl,
            _ when q.Acl || q.Versioning || q.Encryption => S3Operation.NotImplemented,
            HttpMethod.Get when q.Tagging && !q.UploadId => S3Operation.GetObjectTagging,
            HttpMethod.Put when q.Tagging && !q.UploadId => S3Operation.PutObjectTagging,
            HttpMethod.Delete when q.Tagging && !q.UploadId => S3Operation.DeleteObjectTagging,
            _ when q.Tagging => S3Operation.NotImplemented,
            HttpMethod.Put when q.UploadId && q.PartNumber => hasCopySource ? S3Operation.UploadPartCopy : S3Operation.UploadPart,
            HttpMethod.Put when !q.UploadId => hasCopySource ? S3Operation.CopyObject : S3Operation.PutObject,
            HttpMethod.Get when q.UploadId => S3Operation.ListParts,
            HttpMethod.Get => S3Operation.GetObject,
            HttpMethod.Head when !q.UploadId => S3Operation.HeadObject,
            HttpMethod.Delete when q.UploadId => S3Operation.AbortMultipartUpload,
            HttpMethod.Delete => S3Operation.DeleteObject,
            HttpMethod.Post when q.Uploads => S3Operation.CreateMultipartUpload,
            HttpMethod.Post when q.UploadId => S3Operation.CompleteMultipartUpload,
            _ => S3Operation.NotImplemented,
        };
    }

    /// <summary>
    /// The query parameters that select an operation, and the values of those that name a part or an
    /// upload (the first of each, as <see cref="QueryString"/> reads them); ordinary ones (prefix=,
    /// max-keys=...) are left to the handlers.
    /// </summary>
    private struct Subresources
    {
        public int PartNumberValue;
        public UploadIdBytes UploadIdValue;
        public bool UploadIdValid;
        public bool Any;
        public bool Unsupported;
        public bool Location;
        public bool Uploads;
        public bool UploadId;
        public bool PartNumber;
        public bool Versions;
        public bool ListTypeV2;
        public bool Delete;
        public bool Acl;
        public bool Versioning;
        public bool Attributes;
        public bool Tagging;
        public bool Encryption;

        public static Subresources Parse(ReadOnlySpan<byte> query)
        {
            var result = default(Subresources);
            while (!query.IsEmpty)
            {
                int amp = query.IndexOf((byte)'&');
                ReadOnlySpan<byte> pair = amp < 0 ? query : query[..amp];
                query = amp < 0 ? default : query[(amp + 1)..];
                int eq = pair.IndexOf((byte)'=');
                ReadOnlySpan<byte> name = eq < 0 ? pair : pair[..eq];
                ReadOnlySpan<byte> value = eq < 0 ? default : pair[(eq + 1)..];
                result.Add(name, value);
            }

            return result;
        }

        public readonly S3Route Complete(S3Route route) => route with { PartNumber = PartNumberValue, UploadId = UploadIdValue, HasUploadId = UploadIdValid };

        private void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            switch (name.Length)
            {
                case 3 when name.SequenceEqual("acl"u8):
                    Acl = Any = true;
                    break;
                case 6 when name.SequenceEqual("delete"u8):
                    Delete = Any = true;
                    break;
                case 7 when name.SequenceEqual("tagging"u8):
                    Tagging = Any = true;
                    break;
                case 7 when name.SequenceEqual("uploads"u8):
                    Uploads = Any = true;
                    break;
                case 8 when name.SequenceEqual("location"u8):
                    Location = Any = true;
                    break;
                case 8 when name.SequenceEqual("uploadId"u8):
                    if (!UploadId)
                    {
                        UploadIdValid = TryParseUploadId(value, UploadIdValue);
                    }

                    UploadId = Any = true;
                    break;
                case 8 when name.SequenceEqual("versions"u8):
                    Versions = Any = true;
                    break;
                case 10 when name.SequenceEqual("attributes"u8):
                    Attributes = Any = true;
                    break;
                case 10 when name.SequenceEqual("versioning"u8):
                    Versioning = Any = true;
                    break;
                case 10 when name.SequenceEqual("encryption"u8):
                    Encryption = Any = true;
                    break;
                case 9 when name.SequenceEqual("list-type"u8):
                    ListTypeV2 = value.SequenceEqual("2"u8);
                    Any = true;
                    break;
                case 10 when name.SequenceEqual("partNumber"u8):
                    if (!PartNumber)
                    {
                        PartNumberValue = ParsePartNumber(value);
                    }

                    PartNumber = true;
                    break;
                default:
                    if (IsUnsupportedSubresource(name))
                    {
                        Unsupported = Any = true;
                    }

                    break;
            }
        }

        /// <summary>1–10000 in digits, or -1 for anything else (empty, too long, a sign, out of range).</summary>
        private static int ParsePartNumber(ReadOnlySpan<byte> raw)
        {
            Span<byte> text = stackalloc byte[8];
            int length = QueryString.DecodeValue(raw, text);
            return length > 0 && char.IsAsciiDigit((char)text[0])
                && Utf8Parser.TryParse(text[..length], out int number, out int consumed) && consumed == length && number is >= 1 and <= PartTable.MaxParts
                ? number
                : -1;
        }

        /// <summary>Our upload ids are 32 hex digits; anything else names no upload.</summary>
        private static bool TryParseUploadId(ReadOnlySpan<byte> raw, Span<byte> id)
        {
            Span<byte> text = stackalloc byte[MultipartUploads.UploadIdHexLength + 1];
            return QueryString.DecodeValue(raw, text) == MultipartUploads.UploadIdHexLength && Hex.TryDecode(text[..MultipartUploads.UploadIdHexLength], id);
        }

        // Bucket and object subresources S3 defines that FastS3 does not serve; they must get 501,
        // never be mistaken for a plain GET/PUT of the object or bucket.
        private static bool IsUnsupportedSubresource(ReadOnlySpan<byte> name) => name switch
        {
            _ when name.SequenceEqual("policy"u8) => true,
            _ when name.SequenceEqual("policyStatus"u8) => true,
            _ when name.SequenceEqual("cors"u8) => true,
            _ when name.SequenceEqual("lifecycle"u8) => true,
            _ when name.SequenceEqual("website"u8) => true,
            _ when name.SequenceEqual("logging"u8) => true,
            _ when name.SequenceEqual("notification"u8) => true,
            _ when name.SequenceEqual("replication"u8) => true,
            _ when name.SequenceEqual("object-lock"u8) => true,
            _ when name.SequenceEqual("retention"u8) => true,
            _ when name.SequenceEqual("legal-hold"u8) => true,
            _ when name.SequenceEqual("torrent"u8) => true,
            _ when name.SequenceEqual("restore"u8) => true,
            _ when name.SequenceEqual("select"u8) => true,
            _ when name.SequenceEqual("accelerate"u8) => true,
            _ when name.SequenceEqual("requestPayment"u8) => true,
            _ when name.SequenceEqual("ownershipControls"u8) => true,
            _ when name.SequenceEqual("publicAccessBlock"u8) => true,
            _ when name.SequenceEqual("analytics"u8) => true,
            _ when name.SequenceEqual("inventory"u8) => true,
            _ when name.SequenceEqual("metrics"u8) => true,
            _ when name.SequenceEqual("intelligent-tiering"u8) => true,
            _ => false,
        };
    }
}
