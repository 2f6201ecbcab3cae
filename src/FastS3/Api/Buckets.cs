using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using FastS3.Auth;
using FastS3.Basics;
using FastS3.Storage;
using FastS3.Xml;

namespace FastS3.Api;

/// <summary>ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, GetBucketVersioning.</summary>
public sealed class Buckets
{
    /// <summary>A CreateBucketConfiguration is a few hundred bytes; anything larger is refused.</summary>
    private const int MaxConfigurationSize = 64 * 1024;

    private readonly Store _store;
    private readonly byte[] _ownerId;
    private readonly byte[] _ownerName;
    private readonly byte[] _region;

    public Buckets(Store store, AccessKeys keys, string region)
    {
        _store = store;
        _region = Encoding.ASCII.GetBytes(region);
        _ownerName = Encoding.UTF8.GetBytes(keys.RootAccessKey);
        _ownerId = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(_ownerName)));
    }

    public ValueTask<S3Error?> ListAsync(S3Call call)
    {
        Span<byte> storage = stackalloc byte[ListBucketsParameters.StorageLength];
        if (ListBucketsParameters.Parse(call.Request.Query, storage, out ListBucketsParameters parameters) is { } invalid)
        {
            return ValueTask.FromResult<S3Error?>(invalid);
        }

        var xml = new XmlBuilder(1024);
        try
        {
            xml.OpenRoot("ListAllMyBucketsResult"u8);
            WriteOwner(ref xml);
            xml.Open("Buckets"u8);
            Span<byte> name = stackalloc byte[BucketName.MaxLength];
            string lastListed = "";
            int listed = 0;
            bool truncated = false;
            // Another region's buckets: there are none, FastS3 has one region.
            bool inRegion = parameters.Region.IsEmpty || parameters.Region.SequenceEqual(_region);
            foreach ((string bucketName, DateTimeOffset created) in inRegion ? _store.ListBuckets() : [])
            {
                ReadOnlySpan<byte> bytes = name[..Encoding.ASCII.GetBytes(bucketName, name)];
                if (!bytes.StartsWith(parameters.Prefix) || (!parameters.Token.IsEmpty && bytes.SequenceCompareTo(parameters.Token) <= 0))
                {
                    continue;
                }

                if (listed == parameters.MaxBuckets)
                {
                    truncated = true;
                    break;
                }

                xml.Open("Bucket"u8);
                xml.Element("Name"u8, bytes);
                xml.Element("CreationDate"u8, created);
                xml.Element("BucketRegion"u8, _region);
                xml.Close("Bucket"u8);
                listed++;
                lastListed = bucketName;
            }

            xml.Close("Buckets"u8);
            if (truncated)
            {
                // The token is the last name listed: the next page starts after it.
                xml.Element("ContinuationToken"u8, name[..Encoding.ASCII.GetBytes(lastListed, name)]);
            }

            if (!parameters.Prefix.IsEmpty)
            {
                xml.Element("Prefix"u8, parameters.Prefix);
            }

            xml.Close("ListAllMyBucketsResult"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }

        return ValueTask.FromResult<S3Error?>(null);
    }

    public async ValueTask<S3Error?> CreateAsync(S3Call call)
    {
        // The optional CreateBucketConfiguration (a LocationConstraint) is read and not needed:
        // FastS3 has one region (requests signed for another are refused before this).
        var configuration = new ArrayBufferWriter<byte>();
        await call.Request.Body.ReadToEndAsync(configuration, MaxConfigurationSize);

        string name = Encoding.ASCII.GetString(call.BucketName);
        if (!_store.TryCreateBucket(name))
        {
            return S3Errors.BucketAlreadyOwnedByYou;
        }

        call.Response.Headers.Add("Location"u8, "/" + name);
        call.Response.ContentLength = 0;
        return null;
    }

    public ValueTask<S3Error?> HeadAsync(S3Call call)
    {
        if (_store.FindBucket(call.BucketName) is null)
        {
            return ValueTask.FromResult<S3Error?>(S3Errors.NoSuchBucket);
        }

        call.Response.Headers.Add("x-amz-bucket-region"u8, _region);
        call.Response.ContentLength = 0;
        return ValueTask.FromResult<S3Error?>(null);
    }

    public async ValueTask<S3Error?> DeleteAsync(S3Call call)
    {
        Bucket? bucket = _store.FindBucket(call.BucketName);
        if (bucket is null)
        {
            return S3Errors.NoSuchBucket;
        }

        if (!await _store.TryDeleteBucketAsync(bucket))
        {
            return S3Errors.BucketNotEmpty;
        }

        call.Response.StatusCode = 204;
        return null;
    }

    /// <summary>FastS3 does not keep versions: every bucket reports the configuration of one never versioned.</summary>
    public ValueTask<S3Error?> VersioningAsync(S3Call call)
    {
        if (_store.FindBucket(call.BucketName) is null)
        {
            return ValueTask.FromResult<S3Error?>(S3Errors.NoSuchBucket);
        }

        var xml = new XmlBuilder(256);
        try
        {
            xml.OpenRoot("VersioningConfiguration"u8);
            xml.Close("VersioningConfiguration"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }

        return ValueTask.FromResult<S3Error?>(null);
    }

    public ValueTask<S3Error?> LocationAsync(S3Call call)
    {
        if (_store.FindBucket(call.BucketName) is null)
        {
            return ValueTask.FromResult<S3Error?>(S3Errors.NoSuchBucket);
        }

        // us-east-1 is reported as an empty LocationConstraint, as S3 does.
        var xml = new XmlBuilder(256);
        try
        {
            xml.OpenRoot("LocationConstraint"u8);
            xml.Text(_region.AsSpan().SequenceEqual("us-east-1"u8) ? default : _region);
            xml.Close("LocationConstraint"u8);
            xml.WriteTo(call.Response);
        }
        finally
        {
            xml.Dispose();
        }

        return ValueTask.FromResult<S3Error?>(null);
    }

    /// <summary>The canonical user ID of the one owner (of every bucket and object).</summary>
    internal ReadOnlySpan<byte> OwnerId => _ownerId;

    internal void WriteOwner(ref XmlBuilder xml) => WriteOwner(ref xml, "Owner"u8);

    /// <summary>The owner as &lt;<paramref name="element"/>&gt; (Owner, or Initiator in multipart listings).</summary>
    internal void WriteOwner(ref XmlBuilder xml, ReadOnlySpan<byte> element) => WriteOwner(ref xml, element, element);

    /// <summary>The owner in an element opened with attributes (<paramref name="openTag"/>: name and attributes), as an ACL's Grantee.</summary>
    internal void WriteOwner(ref XmlBuilder xml, ReadOnlySpan<byte> openTag, ReadOnlySpan<byte> element)
    {
        xml.Open(openTag);
        xml.Element("ID"u8, _ownerId);
        xml.Element("DisplayName"u8, _ownerName);
        xml.Close(element);
    }
}
