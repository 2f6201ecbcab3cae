using CsCheck;
using FastS3.Auth;
using FastS3.Basics;

namespace FastS3.Tests;

/// <summary>SigV4 percent-encoding: decoding what was encoded gives the bytes back, and the encoding uses only what SigV4 allows.</summary>
public class UriEncodingPropertyTests
{
    [Fact]
    public void DecodeUndoesEncode()
    {
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Bool, Gen.Bool).Sample((bytes, keepSlash, plusIsSpace) =>
        {
            byte[] encoded = new byte[UriEncoding.MaxEncodedLength(bytes.Length)];
            int encodedLength = UriEncoding.Encode(bytes, encoded, keepSlash);
            ReadOnlySpan<byte> text = encoded.AsSpan(0, encodedLength);
            Assert.True(text.IndexOfAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~%/"u8) < 0);
            Assert.True(keepSlash || text.IndexOf((byte)'/') < 0);

            byte[] decoded = new byte[encodedLength];
            int decodedLength = UriEncoding.Decode(text, decoded, plusIsSpace);
            Assert.Equal(bytes, decoded[..decodedLength]);
        }, iter: 5_000);
    }

    [Fact]
    public void DecodingAnyTextFitsInItsLength()
    {
        Gen.Select(Gen.Byte.Array[0, 100], Gen.Bool).Sample((text, plusIsSpace) =>
        {
            byte[] decoded = new byte[text.Length];
            Assert.InRange(UriEncoding.Decode(text, decoded, plusIsSpace), 0, text.Length);
        }, iter: 5_000);
    }
}
