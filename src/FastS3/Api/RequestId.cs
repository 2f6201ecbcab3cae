using System.Security.Cryptography;

namespace FastS3.Api;

/// <summary>
/// Request ids as S3 prints them: 16 upper-case hex digits, unique per process run (a random
/// per-process prefix mixed with a counter), rendered without allocating.
/// </summary>
public static class RequestId
{
    public const int Length = 16;

    private static readonly ulong Prefix = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) & 0xFFFFFFFF_00000000UL;
    private static long _counter;

    public static void Next(Span<byte> destination)
    {
        ulong value = Prefix ^ (ulong)Interlocked.Increment(ref _counter);
        for (int i = Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)"0123456789ABCDEF"[(int)(value & 0xF)];
            value >>= 4;
        }
    }
}
