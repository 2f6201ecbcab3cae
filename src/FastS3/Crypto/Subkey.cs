namespace FastS3.Crypto;

/// <summary>What a key derived from an object's encryption key is for; each has its own label.</summary>
internal enum Subkey
{
    /// <summary>Encrypts the object's data segments.</summary>
    Data,

    /// <summary>Seals the object's content headers and user metadata.</summary>
    Metadata,

    /// <summary>Keys the ETag the client sees.</summary>
    ETag,

    /// <summary>Authenticates a multipart object's part table (which parts, in which order, how long).</summary>
    PartTable,

    /// <summary>Authenticates one part's entry (upload, number, file, sizes) on its own, for a table completed without the key.</summary>
    PartMac,
}
