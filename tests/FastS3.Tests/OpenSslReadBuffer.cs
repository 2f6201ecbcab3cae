using System.Buffers.Binary;
using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>
/// Recognises, in a core dump, the one place <see cref="KeyHygieneTests"/> lets a request outlive
/// its handling: the read buffer OpenSSL (3.x) keeps for each TLS connection, holding the last
/// record it decrypted there, in place (SslStream does not let the server set
/// SSL_OP_CLEANSE_PLAINTEXT). The buffer is one glibc malloc chunk of a size only it has, the record
/// header sits 3 bytes in so that the payload is 8-byte aligned (ssl3_setup_read_buffer), and a
/// TLS 1.3 record's plaintext is followed by its inner content type and 16-byte tag.
/// </summary>
internal static class OpenSslReadBuffer
{
    // 16 KiB of plaintext, 320 bytes of record overhead, the 5-byte header and 3 bytes of alignment,
    // with glibc's 8-byte size field rounded up to 16.
    private const long ChunkSize = 16_720;
    private const int ChunkHeaderSize = 16;
    private const ulong PreviousChunkInUse = 1;
    private const int RecordHeaderAt = 3;
    private const int PayloadAt = 8;
    private const int Tls13Overhead = 1 + 16;
    private const byte ApplicationData = 0x17;

    /// <summary>
    /// Whether <paramref name="payload"/> is the payload address of an OpenSSL read buffer that is
    /// still allocated (glibc marks a chunk in use in the next chunk's size field) and whose record is
    /// exactly <paramref name="record"/>: the latest one decrypted there, not the tail of an older one.
    /// </summary>
    public static bool Holds(CoreDump dump, long payload, byte[] record)
    {
        long buffer = payload - PayloadAt;
        long chunk = buffer - ChunkHeaderSize;
        Span<byte> size = stackalloc byte[sizeof(ulong)];
        Span<byte> next = stackalloc byte[sizeof(ulong)];
        byte[] held = new byte[PayloadAt + record.Length + 1];
        return dump.TryRead(chunk + sizeof(ulong), size) && (BinaryPrimitives.ReadUInt64LittleEndian(size) & ~7UL) == ChunkSize
            && dump.TryRead(chunk + ChunkSize + sizeof(ulong), next) && (BinaryPrimitives.ReadUInt64LittleEndian(next) & PreviousChunkInUse) != 0
            && dump.TryRead(buffer, held)
            && held.AsSpan(RecordHeaderAt).StartsWith((ReadOnlySpan<byte>)[ApplicationData, 3, 3])
            && BinaryPrimitives.ReadUInt16BigEndian(held.AsSpan(RecordHeaderAt + 3)) == record.Length + Tls13Overhead
            && held.AsSpan(PayloadAt, record.Length).SequenceEqual(record)
            && held[^1] == ApplicationData;
    }
}
