using System.Text;
using System.Text.Json;
using FastS3.Http;
using FastS3.Kms;

namespace FastS3.KmsApi;

/// <summary>The AWS JSON 1.1 answers: a document or an error, and the shapes several operations share.</summary>
internal static class KmsJson
{
    private static ReadOnlySpan<byte> ContentType => "application/x-amz-json-1.1"u8;

    /// <summary>KeyMetadata as AWS gives it for a symmetric encryption key made in AWS KMS.</summary>
    public static void WriteKeyMetadata(Utf8JsonWriter json, BuiltInKms kms, KmsKey key)
    {
        json.WriteStartObject("KeyMetadata"u8);
        json.WriteString("AWSAccountId"u8, BuiltInKms.Account);
        json.WriteString("KeyId"u8, key.Id);
        json.WriteString("Arn"u8, kms.Arn(key));
        WriteTime(json, "CreationDate"u8, key.Created);
        json.WriteBoolean("Enabled"u8, key.Enabled);
        json.WriteString("Description"u8, key.Description);
        json.WriteString("KeyUsage"u8, "ENCRYPT_DECRYPT"u8);
        json.WriteString("KeyState"u8, key.Enabled ? "Enabled"u8 : "Disabled"u8);
        json.WriteString("Origin"u8, "AWS_KMS"u8);
        json.WriteString("KeyManager"u8, key.Manager == KeyManager.Aws ? "AWS"u8 : "CUSTOMER"u8);
        json.WriteString("CustomerMasterKeySpec"u8, "SYMMETRIC_DEFAULT"u8);
        json.WriteString("KeySpec"u8, "SYMMETRIC_DEFAULT"u8);
        json.WriteStartArray("EncryptionAlgorithms"u8);
        json.WriteStringValue("SYMMETRIC_DEFAULT"u8);
        json.WriteEndArray();
        json.WriteBoolean("MultiRegion"u8, false);
        json.WriteEndObject();
    }

    /// <summary>A timestamp as the JSON protocol writes one: seconds since the epoch.</summary>
    public static void WriteTime(Utf8JsonWriter json, ReadOnlySpan<byte> name, DateTimeOffset time)
        => json.WriteNumber(name, time.ToUnixTimeMilliseconds() / 1000.0);

    public static void Send(HttpResponse response, int status, ReadOnlySpan<byte> body)
    {
        response.StatusCode = status;
        response.Headers.Add("Content-Type"u8, ContentType);
        response.ContentLength = body.Length;
        response.Write(body);
    }

    /// <summary><c>{"__type": …, "message": …}</c>, the type also in x-amzn-ErrorType, where the SDKs look for it.</summary>
    public static void SendError(HttpResponse response, KmsError error)
    {
        var body = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("__type"u8, error.Type);
            json.WriteString("message"u8, error.Message);
            json.WriteEndObject();
        }

        response.Headers.Add("x-amzn-ErrorType"u8, Encoding.ASCII.GetBytes(error.Type));
        Send(response, error.Status, body.WrittenSpan);
    }
}
