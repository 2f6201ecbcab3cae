using FastS3.Testing;

namespace FastS3.Tests;

/// <summary>Assertions on raw responses that show the whole response when they fail.</summary>
internal static class S3Assert
{
    /// <summary>The status and the &lt;Code&gt; of the error body (HEAD answers have none: pass a null code).</summary>
    public static void Error(RawResponse response, int status, string? code)
        => Assert.True(response.Status == status && response.ErrorCode() == code, $"expected {status} {code}, got {response.Describe()}");

    public static void Status(RawResponse response, int status)
        => Assert.True(response.Status == status, $"expected {status}, got {response.Describe()}");
}
