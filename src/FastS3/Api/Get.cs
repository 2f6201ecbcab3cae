using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Buffers;
using FastS3.Basics;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;

namespace FastS3.Api;

/// <summary>
/// GetObject and HeadObject: conditional requests, single ranges, stored headers (or what the
/// request's response-* parameters put in their place), checksums on request (whole-object reads
/// only), and the body read from the data file straight into the response pipe's buffers.
/// </summary>
public sealed class Get(Store store)
{
    /// <summary>Largest single read from a data file into the output pipe.</summary>
    private const int ReadSize = 256 * 1024;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> GetObjectAsync(S3Call call, bool head)
    {
        if (ResponseOverrides.Parse(call.Request.Query, call.Signature.Authenticated, out ResponseOverrides overrides) is { } invalidOverride)
        {
            return invalidOverride;
        }

        if (call.ResolveObject(store, out Bucket bucket) is { } missing)
        {
            return missing;
        }

        // A data file can be replaced between the index lookup and the open: look again.
        for (int attempt = 0; ; attempt++)
        {
            ReadOnlyMemory<byte> value = await bucket.FindObjectAsync(call.KeyMemory);
            if (Readable(call, value, out DataKey key) is { } unreadable)
            {
                return unreadable;
            }

            // An encrypted object's content headers, metadata and checksum are sealed in a record of their own.
            ObjectRecord.TryRead(value.Span, out ObjectRecord record);
            bool encrypted = record.Has(RecordFlags.Encrypted);
            byte[]? details = null;
            byte[]? plaintext = null;
            try
            {
                if (ParsePartNumber(call, out int partNumber) is { } invalidPart)
                {
                    return invalidPart;
                }

                // The sealed checksum, only when asked for, opens with the metadata (one key set-up for
                // both), after it in the same buffer.
                int detailsLength = 0, checksumStart = 0, checksumLength = 0;
                if (encrypted)
                {
                    bool checksum = AsksForChecksum(call);
                    checksumStart = Encryption.MetadataLength(record);
                    details = ArrayPool<byte>.Shared.Rent(checksumStart + (checksum ? Encryption.ChecksumLength(record) : 0));
                    bool opened = checksum
                        ? Encryption.TryOpenMetadataAndChecksum(key, record, details, out detailsLength, details.AsSpan(checksumStart), out checksumLength)
                        : Encryption.TryOpenMetadata(key, record, details, out detailsLength);
                    if (!opened || !ObjectRecord.TryRead(details.AsSpan(0, detailsLength), out _))
                    {
                        return S3Errors.ObjectTampered;
                    }
                }

                // A small object's bytes are in its record (multipart objects never are): it needs no
                // content, no reader and no file, and an SSE-C one is decrypted and authenticated here,
                // before the answer starts.
                ReadOnlyMemory<byte> inline = ObjectRecord.FieldMemory(value, RecordField.InlineData);
                bool sendsBody = !head && record.Size > 0;
                if (sendsBody && encrypted && !inline.IsEmpty)
                {
                    plaintext = ArrayPool<byte>.Shared.Rent((int)record.Size);
                    if (!SegmentDecryptor.TryDecryptAll(key.Span, inline.Span, plaintext, out int decrypted) || decrypted != record.Size)
                    {
                        return S3Errors.ObjectTampered;
                    }

                    inline = plaintext.AsMemory(0, decrypted);
                }

                // Open before answering, so a retry starts from a clean response.
                StoredContent? content = null;
                if (inline.IsEmpty && (sendsBody || partNumber > 0))
                {
                    content = await bucket.OpenContentAsync(value);
                    if (content is null)
                    {
                        if (attempt < 3)
                        {
                            continue;
                        }

                        return S3Errors.ObjectTampered;
                    }

                    if (encrypted && !content.IsAuthentic(key))
                    {
                        return S3Errors.ObjectTampered;
                    }
                }

                ObjectRecord.TryRead(value.Span, out record);
                if (Plan(call, record, content, partNumber, out ByteRange range, out bool partial, out bool notModified) is { } unmet)
                {
                    return unmet;
                }

                ContentReader? reader = null;
                if (sendsBody && !notModified && inline.IsEmpty)
                {
                    try
                    {
                        reader = content!.OpenReader(range, key, call.Keys);
                    }
                    catch (FileNotFoundException) when (attempt < 3)
                    {
                        continue;
                    }
                }

                using (reader)
                {
                    call.ObjectSize = record.Size;
                    WriteHeaders(call, record, encrypted ? details.AsSpan(0, detailsLength) : value.Span, encrypted ? details.AsSpan(checksumStart, checksumLength) : default,
                        content, partNumber, range, partial, notModified, overrides);
                    if (sendsBody && !notModified && !inline.IsEmpty)
                    {
                        await SendInlineAsync(call.Response.BodyWriter, inline, range);
                    }
                    else if (reader is not null)
                    {
                        await SendAsync(call, reader, content!, range, encrypted);
                    }
                }

                return null;
            }
            finally
            {
                key.Dispose();
                ReturnCleared(details);
                ReturnCleared(plaintext);
            }
        }
    }

    /// <summary>
    /// The data key of the object whose record is <paramref name="value"/> (empty: none was found),
    /// for an SSE-C one once the request's customer key (if any) is well formed and opens it:
    /// NoSuchKey, the SSE-C errors, or null.
    /// </summary>
    internal static S3Error? Readable(S3Call call, ReadOnlyMemory<byte> value, out DataKey key)
    {
        key = default;
        if (!ObjectRecord.TryRead(value.Span, out ObjectRecord record))
        {
            return S3Errors.NoSuchKey;
        }

        return call.ParseCustomerKey() ?? Encryption.OpenKey(call, record, out key);
    }

    /// <summary>Returns a buffer that held opened metadata or plaintext, zeroed first.</summary>
    private static void ReturnCleared(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <summary>?partNumber=N (1–10000) into <paramref name="partNumber"/>, 0 when absent; a Range header with it is refused.</summary>
    private static S3Error? ParsePartNumber(S3Call call, out int partNumber)
    {
        if (Multipart.PartNumberOf(call, out partNumber) is { } invalid)
        {
            return invalid;
        }

        return partNumber > 0 && call.Request.Headers.Contains("range"u8) ? S3Errors.RangeWithPartNumber : null;
    }

    /// <summary>
    /// What to send: preconditions first (412, or 304 as <paramref name="notModified"/>), then the
    /// part or range asked for (416 when it cannot be served).
    /// </summary>
    private static S3Error? Plan(S3Call call, in ObjectRecord record, StoredContent? content, int partNumber, out ByteRange range, out bool partial, out bool notModified)
    {
        range = new ByteRange(0, record.Size);
        partial = false;
        notModified = false;
        Span<byte> etag = stackalloc byte[record.ETag.Length + 2];
        ETag.WriteQuoted(record.ETag, etag);
        switch (Preconditions.EvaluateRead(call.Request.Headers, etag, record.LastModified))
        {
            case Preconditions.Result.Failed:
                return S3Errors.PreconditionFailed;
            case Preconditions.Result.NotModified:
                notModified = true;
                return null;
        }

        if (partNumber > 0)
        {
            // A part of a multipart object is a range of it; part 1 of a single-stream object is all of it.
            partial = content is { IsMultipart: true };
            if (!partial)
            {
                return partNumber == 1 ? null : S3Errors.InvalidPartNumber;
            }

            if (!content!.TryGetPartRange(partNumber, out long start, out long length))
            {
                return S3Errors.InvalidPartNumber;
            }

            range = new ByteRange(start, length);
            return null;
        }

        if (call.Request.Headers.TryGetValue("range"u8, out ReadOnlySpan<byte> rangeHeader))
        {
            switch (ByteRange.Resolve(rangeHeader, record.Size, out range))
            {
                case ByteRange.Outcome.Unsatisfiable:
                    Span<byte> unsatisfied = stackalloc byte[32];
                    "bytes */"u8.CopyTo(unsatisfied);
                    Utf8Formatter.TryFormat(record.Size, unsatisfied[8..], out int digits);
                    call.Response.Headers.Add("Content-Range"u8, unsatisfied[..(8 + digits)]);
                    return S3Errors.InvalidRange;
                case ByteRange.Outcome.Partial:
                    partial = true;
                    break;
            }
        }

        return null;
    }

    /// <summary>
    /// Status and headers. <paramref name="details"/> holds the content headers (and the checksum,
    /// unless <paramref name="openedChecksum"/> has it): the record itself, or an encrypted object's
    /// opened sealed record. A 304 carries no overrides: S3 sends them with a successful answer only.
    /// </summary>
    private static void WriteHeaders(S3Call call, in ObjectRecord record, ReadOnlySpan<byte> details, ReadOnlySpan<byte> openedChecksum, StoredContent? content, int partNumber, ByteRange range, bool partial, bool notModified, ResponseOverrides overrides)
    {
        ObjectRecord.TryRead(details, out ObjectRecord detailRecord);
        var response = call.Response;
        Span<byte> etag = stackalloc byte[record.ETag.Length + 2];
        ETag.WriteQuoted(record.ETag, etag);
        if (notModified)
        {
            response.StatusCode = 304;
            response.Headers.Add("ETag"u8, etag);
            AddLastModified(response, record.LastModified);
            return;
        }

        response.StatusCode = partial ? 206 : 200;
        response.ContentLength = range.Length;
        response.Headers.Add("ETag"u8, etag);
        AddLastModified(response, record.LastModified);
        response.Headers.Add("Accept-Ranges"u8, "bytes"u8);
        if (partNumber > 0 && content is { IsMultipart: true })
        {
            AddCount(response, "x-amz-mp-parts-count"u8, content.Parts.Length);
        }

        // Only an object with tags has the header, as on S3; the count is stored, never counted here.
        if (StoredTags.Count(record.Field(RecordField.Tags)) is > 0 and int tagCount)
        {
            AddCount(response, "x-amz-tagging-count"u8, tagCount);
        }

        if (partial)
        {
            Span<byte> contentRange = stackalloc byte[80];
            int n = 0;
            "bytes "u8.CopyTo(contentRange);
            n += 6;
            Utf8Formatter.TryFormat(range.Start, contentRange[n..], out int written);
            n += written;
            contentRange[n++] = (byte)'-';
            Utf8Formatter.TryFormat(range.End, contentRange[n..], out written);
            n += written;
            contentRange[n++] = (byte)'/';
            Utf8Formatter.TryFormat(record.Size, contentRange[n..], out written);
            n += written;
            response.Headers.Add("Content-Range"u8, contentRange[..n]);
        }
        else if (AsksForChecksum(call))
        {
            AddChecksum(response, Encryption.Checksum(openedChecksum, detailRecord));
        }

        Encryption.Echo(call, record.Field(RecordField.Encryption));

        ObjectHeaders.Emit(detailRecord, response, overrides);
        overrides.Write(call.Request.Query, response);
    }

    /// <summary>x-amz-checksum-mode: ENABLED, which asks for the stored checksum of a whole-object read.</summary>
    private static bool AsksForChecksum(S3Call call)
        => call.Request.Headers.TryGetValue("x-amz-checksum-mode"u8, out ReadOnlySpan<byte> mode) && System.Text.Ascii.EqualsIgnoreCase(mode, "ENABLED"u8);

    private static void AddCount(FastS3.Http.HttpResponse response, ReadOnlySpan<byte> name, int count)
    {
        Span<byte> digits = stackalloc byte[11];
        Utf8Formatter.TryFormat(count, digits, out int length);
        response.Headers.Add(name, digits[..length]);
    }

    private static void AddChecksum(FastS3.Http.HttpResponse response, ReadOnlySpan<byte> stored)
    {
        if (stored.Length < 4)
        {
            return;
        }

        Span<byte> value = stackalloc byte[MultipartChecksum.MaxCompositeLength];
        response.Headers.Add(StoredChecksum.AlgorithmOf(stored).HeaderName, value[..StoredChecksum.Format(stored, value)]);
        response.Headers.Add("x-amz-checksum-type"u8, StoredChecksum.TypeName(StoredChecksum.TypeOf(stored)));
    }

    internal static void AddLastModified(FastS3.Http.HttpResponse response, DateTimeOffset lastModified)
    {
        Span<byte> date = stackalloc byte[29];
        Utf8Formatter.TryFormat(lastModified, date, out int written, 'R');
        response.Headers.Add("Last-Modified"u8, date[..written]);
    }

    /// <summary>
    /// Sends the range. Plain data goes from each file straight into the pipe's buffers; encrypted data
    /// is decrypted segment by segment, into the pipe's buffers too, and data that fails
    /// authentication is never sent: the response is cut off (or never starts).
    /// </summary>
    private static async ValueTask SendAsync(S3Call call, ContentReader reader, StoredContent content, ByteRange range, bool encrypted)
    {
        PipeWriter output = call.Response.BodyWriter;
        if (encrypted)
        {
            // Whole segments are decrypted straight into the pipe's memory, but for the first batch:
            // asking the pipe for memory starts the response, and damage found before it starts is a
            // clean error. A range's partial ends are copied.
            Memory<byte> buffer = default;
            long left = range.Length;
            for (ReadOnlyMemory<byte> chunk = await reader.ReadAsync(); !chunk.IsEmpty; chunk = await reader.ReadAsync(buffer))
            {
                if (!buffer.IsEmpty && chunk.Span.Overlaps(buffer.Span))
                {
                    output.Advance(chunk.Length);
                }
                else
                {
                    output.Write(chunk.Span);
                }

                await output.FlushAsync();

                // Pipe memory only for a batch still to come: a block taken after the last is cleared for nothing.
                left -= chunk.Length;
                buffer = left > 0 ? output.GetMemory((int)Math.Min(ReadSize, left)) : default;
            }

            return;
        }

        for (int index = content.IndexOf(range.Start); range.Length > 0; index++)
        {
            long partStart = content.StartOf(index);
            long offset = range.Start - partStart;
            long length = Math.Min(content.Parts[index].Size - offset, range.Length);
            await SendStoredAsync(output, reader.DataFor(index), offset, length);
            reader.Release(index);
            range = new ByteRange(range.Start + length, range.Length - length);
        }
    }

    private static async ValueTask SendInlineAsync(PipeWriter output, ReadOnlyMemory<byte> stored, ByteRange range)
    {
        if (range.Start + range.Length > stored.Length)
        {
            throw new S3Exception(S3Errors.StoredDataDamaged);
        }

        output.Write(stored.Span.Slice((int)range.Start, (int)range.Length));
        await output.FlushAsync();
    }

    /// <summary>Reads the stored bytes into the pipe's own memory and flushes as it goes.</summary>
    private static async ValueTask SendStoredAsync(PipeWriter output, StoredBytes data, long offset, long remaining)
    {
        while (remaining > 0)
        {
            Memory<byte> buffer = output.GetMemory((int)Math.Min(ReadSize, remaining));
            if (buffer.Length > remaining)
            {
                buffer = buffer[..(int)remaining];
            }

            int read = await data.ReadAsync(buffer, offset);
            if (read == 0)
            {
                throw new S3Exception(S3Errors.StoredDataDamaged);
            }

            output.Advance(read);
            offset += read;
            remaining -= read;
            await output.FlushAsync();
        }
    }
}
