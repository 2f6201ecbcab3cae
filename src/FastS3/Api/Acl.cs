using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Xml;
using FastS3.Basics;
using FastS3.Http;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>
/// GetBucketAcl, GetObjectAcl, PutBucketAcl, PutObjectAcl, and the ACL headers of the calls that
/// create buckets and objects. FastS3 has one owner and no public access, so the only ACL is the
/// owner's FULL_CONTROL (the canned <c>private</c>): it is reported, and set requests that ask for
/// exactly it succeed. Anything granting more is refused with 501, as MinIO does, never ignored: a
/// client that asked for public-read must not believe it got it.
/// </summary>
public sealed class Acl(Store store, Buckets buckets)
{
    /// <summary>An owner-only AccessControlPolicy is under 1 KiB; a larger one grants more than FastS3 has.</summary>
    private const int MaxPolicySize = 64 * 1024;

    private static readonly S3Error GrantsNotSupported = new(501, "NotImplemented", "Only the owner's FULL_CONTROL (the canned ACL 'private' or 'bucket-owner-full-control') is supported: FastS3 has one owner and no public access.");
    private static readonly S3Error UnknownCannedAcl = new(400, "InvalidArgument", "The canned ACL in x-amz-acl is not one S3 defines.");
    private static readonly S3Error MalformedAcl = new(400, "MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema.");
    private static readonly S3Error NoAclGiven = new(400, "MissingSecurityHeader", "Your request was missing a required header: x-amz-acl, or an AccessControlPolicy body.");
    private static readonly S3Error AclAndBody = new(400, "UnexpectedContent", "This request does not support content when x-amz-acl is given.");

    /// <summary>
    /// The x-amz-acl and x-amz-grant-* headers of a request that creates a bucket or an object, or
    /// sets an ACL: null when they ask for nothing beyond the owner's own access.
    /// </summary>
    public static S3Error? CheckHeaders(HttpRequestHeaders headers)
    {
        foreach (HttpHeader header in headers)
        {
            if (header.Name.Length > "x-amz-grant-".Length && Ascii.EqualsIgnoreCase(header.Name[.."x-amz-grant-".Length], "x-amz-grant-"u8))
            {
                return GrantsNotSupported;
            }
        }

        if (!headers.TryGetValue("x-amz-acl"u8, out ReadOnlySpan<byte> canned))
        {
            return null;
        }

        return canned switch
        {
            _ when canned.SequenceEqual("private"u8) || canned.SequenceEqual("bucket-owner-full-control"u8) => null,
            _ when canned.SequenceEqual("public-read"u8) || canned.SequenceEqual("public-read-write"u8) || canned.SequenceEqual("authenticated-read"u8)
                || canned.SequenceEqual("aws-exec-read"u8) || canned.SequenceEqual("bucket-owner-read"u8) || canned.SequenceEqual("log-delivery-write"u8) => GrantsNotSupported,
            _ => UnknownCannedAcl,
        };
    }

    public ValueTask<S3Error?> GetBucketAclAsync(S3Call call)
        => ValueTask.FromResult(store.FindBucket(call.BucketName) is null ? S3Errors.NoSuchBucket : WritePolicy(call));

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> GetObjectAclAsync(S3Call call)
        => await FindObjectAsync(call) ?? WritePolicy(call);

    public ValueTask<S3Error?> PutBucketAclAsync(S3Call call)
        => store.FindBucket(call.BucketName) is null ? ValueTask.FromResult<S3Error?>(S3Errors.NoSuchBucket) : SetAsync(call);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> PutObjectAclAsync(S3Call call)
        => await FindObjectAsync(call) ?? await SetAsync(call);

    /// <summary>An object ACL needs the object, not its content: no SSE-C key is asked for, as on S3.</summary>
    private async ValueTask<S3Error?> FindObjectAsync(S3Call call)
    {
        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        return (await bucket.FindObjectAsync(call.KeyMemory)).IsEmpty ? S3Errors.NoSuchKey : null;
    }

    /// <summary>The requested ACL (a canned header or an AccessControlPolicy body) is set if it is the one FastS3 has.</summary>
    private async ValueTask<S3Error?> SetAsync(S3Call call)
    {
        var body = new ArrayBufferWriter<byte>();
        await call.Request.Body.ReadToEndAsync(body, MaxPolicySize);
        if (call.Request.Headers.Contains("x-amz-acl"u8))
        {
            // The header was checked with the request's others before dispatch.
            return body.WrittenCount > 0 ? AclAndBody : Done(call);
        }

        if (body.WrittenCount == 0)
        {
            return NoAclGiven;
        }

        return ReadPolicy(body.WrittenMemory, out int grants, out bool ownerFullControl) ? (grants == 1 && ownerFullControl ? Done(call) : GrantsNotSupported) : MalformedAcl;
    }

    private static S3Error? Done(S3Call call)
    {
        call.Response.ContentLength = 0;
        return null;
    }

    /// <summary>
    /// Counts the policy's grants and tells whether the first is FULL_CONTROL for the owner (a
    /// CanonicalUser with the owner's ID); false when the body is not an AccessControlPolicy.
    /// </summary>
    private bool ReadPolicy(ReadOnlyMemory<byte> body, out int grants, out bool ownerFullControl)
    {
        grants = 0;
        ownerFullControl = false;
        try
        {
            using XmlReader reader = RequestXml.Open(body);
            if (!reader.ReadToFollowing("AccessControlPolicy"))
            {
                return false;
            }

            while (reader.ReadToFollowing("Grant"))
            {
                if (++grants > 1)
                {
                    return true;
                }

                ownerFullControl = IsOwnerFullControl(reader.ReadSubtree());
            }

            return true;
        }
        catch (XmlException)
        {
            return false;
        }
    }

    private bool IsOwnerFullControl(XmlReader grant)
    {
        string? type = null;
        string? id = null;
        string? permission = null;
        using (grant)
        {
            while (grant.Read())
            {
                if (grant.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                switch (grant.LocalName)
                {
                    case "Grantee":
                        type = grant.GetAttribute("type", "http://www.w3.org/2001/XMLSchema-instance");
                        break;
                    case "ID":
                        id = grant.ReadElementContentAsString();
                        break;
                    case "Permission":
                        permission = grant.ReadElementContentAsString();
                        break;
                }
            }
        }

        return type == "CanonicalUser" && permission == "FULL_CONTROL" && (id is null || Encoding.ASCII.GetBytes(id).AsSpan().SequenceEqual(buckets.OwnerId));
    }

    private S3Error? WritePolicy(S3Call call)
    {
        var xml = new XmlBuilder(1024);
        try
        {
            xml.OpenRoot("AccessControlPolicy"u8);
            buckets.WriteOwner(ref xml);
            xml.Open("AccessControlList"u8);
            xml.Open("Grant"u8);
            buckets.WriteOwner(ref xml, "Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\""u8, "Grantee"u8);
            xml.Element("Permission"u8, "FULL_CONTROL"u8);
            xml.Close("Grant"u8);
            xml.Close("AccessControlList"u8);
            xml.Close("AccessControlPolicy"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }

        return null;
    }
}
