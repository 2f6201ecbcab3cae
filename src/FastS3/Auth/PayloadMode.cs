namespace FastS3.Auth;

/// <summary>How the body is covered by the signature, from x-amz-content-sha256.</summary>
public enum PayloadMode : byte
{
    /// <summary>UNSIGNED-PAYLOAD (and every presigned URL): the body is not signed.</summary>
    Unsigned,

    /// <summary>Hex SHA-256 of the whole body, verified once it has been read.</summary>
    Sha256,

    /// <summary>STREAMING-AWS4-HMAC-SHA256-PAYLOAD: aws-chunked, every chunk signed.</summary>
    StreamingSigned,

    /// <summary>STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: signed chunks and a signed trailer.</summary>
    StreamingSignedTrailer,

    /// <summary>STREAMING-UNSIGNED-PAYLOAD-TRAILER: aws-chunked with a trailing checksum, nothing signed.</summary>
    StreamingUnsignedTrailer,
}
