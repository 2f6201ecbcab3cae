using System.Runtime.InteropServices;
using FastS3.Http;

namespace FastS3.Tls;

/// <summary>
/// Makes glibc overwrite memory as it is freed (M_PERTURB). OpenSSL decrypts each TLS record in
/// place in a read buffer it mallocs per connection and frees, uncleansed, when the connection
/// closes (SSL_OP_CLEANSE_PLAINTEXT is not reachable through SslStream): without this, the last
/// requests of closed connections, SSE-C key headers included, stay readable in the free heap.
/// (Blocks small enough for glibc's per-thread cache, up to 1 KiB, are not overwritten; that
/// 16 KiB buffer is not one of them.)
/// </summary>
internal static partial class FreedNativeMemory
{
    private const int MallocPerturb = -6;

    // Freed bytes become this; fresh allocations its complement (callers never rely on either).
    private const int FillByte = 0xA5;

    public static void ClearOnFree(IServerLog log)
    {
        if (Mallopt(MallocPerturb, FillByte) == 0)
        {
            log.Warning("the C library refused M_PERTURB: memory OpenSSL frees (TLS records of closed connections) is not overwritten");
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int Mallopt(int parameter, int value);
}
