namespace FastS3.Api;

/// <summary>Every S3 call the router can name. Handlers are chosen by this, never by the raw request.</summary>
public enum S3Operation : byte
{
    /// <summary>A method or subresource S3 has but FastS3 does not serve: 501 NotImplemented.</summary>
    NotImplemented,
    ListBuckets,
    CreateBucket,
    HeadBucket,
    DeleteBucket,
    GetBucketLocation,
    GetBucketVersioning,
    GetBucketAcl,
    PutBucketAcl,
    ListObjectsV1,
    ListObjectsV2,
    ListObjectVersions,
    ListMultipartUploads,
    DeleteObjects,
    PutObject,
    CopyObject,
    GetObject,
    HeadObject,
    DeleteObject,
    CreateMultipartUpload,
    UploadPart,
    UploadPartCopy,
    CompleteMultipartUpload,
    AbortMultipartUpload,
    ListParts,
    GetObjectAcl,
    PutObjectAcl,
    GetObjectAttributes,
}
