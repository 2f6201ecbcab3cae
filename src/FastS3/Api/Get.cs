using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Buffers;
using FastS3.Checksums;
using FastS3.Crypto;
using FastS3.Storage;
using Microsoft.Win32.SafeHandles;

namespace FastS3.Api;

/// <summary>
/// GetObject and HeadObject: conditional requests, single ranges, stored headers, checksums on
/// request (whole-object reads only), and the body read from the data file straight into the
/// response pipe's buffers.
/// </summary>
public sealed class Get(Store store)
{
    /// <summary>Largest single read from a data file into the output pipe.</summary>
    private const int ReadSize = 256 * 1024;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<S3Error?> GetObjectAsync(S3Call call, bool head)
    {
        if (!call.TryResolveObject(store, out Bucket? bucket, out S3Error? missing))
        {
            return missing;
        }

        // A data file can be replaced between the index lookup and the open: look again.
        for (int attempt = 0; ; attempt++)
        {
            if (!bucket.Index.TryGet(call.Key, out byte[]? value) || !ObjectRecord.TryRead(value, out ObjectRecord record))
            {
                return S3Errors.NoSuchKey;
            }

            if ((call.ParseCustomerKey() ?? Encryption.OpenObjectKey(call, record)) is { } keyError)
            {
                return keyError;
            }

            // An SSE-C object's content headers, metadata and checksum are sealed in a record of their own.
            bool encrypted = ((RecordFlags)record.Flags).HasFlag(RecordFlags.SseC);
            byte[]? sealedDetails = encrypted ? Encryption.OpenMetadata(call, record) : null;
            if (encrypted && (sealedDetails is null || !ObjectRecord.TryRead(sealedDetails, out _)))
            {
                return S3Errors.ObjectTampered;
            }

            // Open before answering, so a retry starts from a clean response.
            SafeFileHandle? file = null;
            if (!head && record.Size > 0)
            {
                try
                {
                    file = File.OpenHandle(bucket.DataPath(record.DataId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
                }
                catch (FileNotFoundException) when (attempt < 3)
                {
                    continue;
                }
            }

            S3Error? answered = Answer(call, record, encrypted ? sealedDetails! : value, head, out ByteRange range);
            if (file is null || answered is not null || call.Response.StatusCode == 304 || range.Length == 0)
            {
                file?.Dispose();
                return answered;
            }

            using (file)
            {
                if (encrypted)
                {
                    await SendDecryptedAsync(call, file, range, record.Size);
                }
                else
                {
                    await SendAsync(call.Response.BodyWriter, file, range);
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Everything but the body: status, headers, and the range to send. <paramref name="details"/> holds
    /// the content headers and checksum: the record itself, or an SSE-C object's opened sealed record.
    /// </summary>
    private static S3Error? Answer(S3Call call, in ObjectRecord record, byte[] details, bool head, out ByteRange range)
    {
        ObjectRecord.TryRead(details, out ObjectRecord detailRecord);
        var response = call.Response;
        range = new ByteRange(0, record.Size);
        Span<byte> etag = stackalloc byte[record.ETag.Length + 2];
        ETag.WriteQuoted(record.ETag, etag);

        switch (Preconditions.EvaluateRead(call.Request.Headers, etag, record.LastModified))
        {
            case Preconditions.Result.Failed:
                return S3Errors.PreconditionFailed;
            case Preconditions.Result.NotModified:
                response.StatusCode = 304;
                response.Headers.Add("ETag"u8, etag);
                AddLastModified(response, record.LastModified);
                return null;
        }

        bool partial = false;
        if (call.Request.Headers.TryGetValue("range"u8, out ReadOnlySpan<byte> rangeHeader))
        {
            switch (ByteRange.Resolve(rangeHeader, record.Size, out range))
            {
                case ByteRange.Outcome.Unsatisfiable:
                    Span<byte> unsatisfied = stackalloc byte[32];
                    "bytes */"u8.CopyTo(unsatisfied);
                    Utf8Formatter.TryFormat(record.Size, unsatisfied[8..], out int digits);
                    response.Headers.Add("Content-Range"u8, unsatisfied[..(8 + digits)]);
                    return S3Errors.InvalidRange;
                case ByteRange.Outcome.Partial:
                    partial = true;
                    break;
            }
        }

        response.StatusCode = partial ? 206 : 200;
        response.ContentLength = range.Length;
        response.Headers.Add("ETag"u8, etag);
        AddLastModified(response, record.LastModified);
        response.Headers.Add("Accept-Ranges"u8, "bytes"u8);
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
        else if (call.Request.Headers.TryGetValue("x-amz-checksum-mode"u8, out ReadOnlySpan<byte> mode) && System.Text.Ascii.EqualsIgnoreCase(mode, "ENABLED"u8))
        {
            AddChecksum(response, detailRecord.Field(RecordField.Checksum));
        }

        if (call.HasCustomerKey)
        {
            SseC.Echo(response, call.CustomerKeyMd5);
        }

        ObjectHeaders.Emit(detailRecord, response);
        return null;
    }

    private static void AddChecksum(FastS3.Http.HttpResponse response, ReadOnlySpan<byte> stored)
    {
        if (stored.Length < 4)
        {
            return;
        }

        var algorithm = (ChecksumAlgorithm)stored[0];
        var type = (ChecksumType)stored[1];
        int parts = BinaryPrimitives.ReadUInt16LittleEndian(stored[2..]);
        Span<byte> value = stackalloc byte[MultipartChecksum.MaxCompositeLength];
        int length = type == ChecksumType.Composite
            ? MultipartChecksum.FormatComposite(stored[4..], parts, value)
            : DigestBase64.Encode(stored[4..], value);
        response.Headers.Add(algorithm.HeaderName, value[..length]);
        response.Headers.Add("x-amz-checksum-type"u8, type == ChecksumType.Composite ? "COMPOSITE"u8 : "FULL_OBJECT"u8);
    }

    private static void AddLastModified(FastS3.Http.HttpResponse response, DateTimeOffset lastModified)
    {
        Span<byte> date = stackalloc byte[29];
        Utf8Formatter.TryFormat(lastModified, date, out int written, 'R');
        response.Headers.Add("Last-Modified"u8, date[..written]);
    }

    /// <summary>
    /// Decrypts only the segments the range covers and sends the wanted bytes. Data that fails
    /// authentication is never sent: the response is cut off (or never starts).
    /// </summary>
    private static async ValueTask SendDecryptedAsync(S3Call call, SafeFileHandle file, ByteRange range, long size)
    {
        using ObjectReader reader = await ObjectReader.OpenAsync(file, size, range, call.ObjectKey);
        PipeWriter output = call.Response.BodyWriter;
        for (ReadOnlyMemory<byte> chunk = await reader.ReadAsync(); !chunk.IsEmpty; chunk = await reader.ReadAsync())
        {
            output.Write(chunk.Span);
            await output.FlushAsync();
        }
    }

    /// <summary>Reads the range from the file into the pipe's own memory and flushes as it goes.</summary>
    private static async ValueTask SendAsync(PipeWriter output, SafeFileHandle file, ByteRange range)
    {
        long offset = range.Start;
        long remaining = range.Length;
        while (remaining > 0)
        {
            Memory<byte> buffer = output.GetMemory((int)Math.Min(ReadSize, remaining));
            if (buffer.Length > remaining)
            {
                buffer = buffer[..(int)remaining];
            }

            int read = await RandomAccess.ReadAsync(file, buffer, offset);
            if (read == 0)
            {
                throw new IOException("Data file is shorter than its record.");
            }

            output.Advance(read);
            offset += read;
            remaining -= read;
            await output.FlushAsync();
        }
    }
}
