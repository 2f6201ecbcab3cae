namespace FastS3.Checksums;

/// <summary>x-amz-checksum-type: a checksum of the whole object, or of the part checksums ("-N").</summary>
public enum ChecksumType : byte
{
    FullObject,
    Composite,
}
