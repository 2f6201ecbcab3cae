using System.Buffers;
using System.Runtime.InteropServices;

namespace FastS3.Http.Tests;

/// <summary>
/// What the transport leaves behind in memory it gives back: nothing of a request or response.
/// (The end-to-end check, on a core dump of the real server, is FastS3.Tests' KeyHygieneTests.)
/// </summary>
public class BufferHygieneTests
{
    [Theory]
    [InlineData(16 * 1024)]
    [InlineData(256 * 1024)]
    public void PipeBlocksAreZeroedWhenGivenBack(int size)
    {
        Assert.True(ClearingMemoryPool.Instance.MaxBufferSize >= size, "a larger block would bypass the pool, uncleared");
        IMemoryOwner<byte> block = ClearingMemoryPool.Instance.Rent(size);
        Assert.True(MemoryMarshal.TryGetArray<byte>(block.Memory, out ArraySegment<byte> array));
        block.Memory.Span.Fill(0x5a);
        block.Dispose();
        Assert.DoesNotContain(array.Array!, b => b != 0);
    }

    [Fact]
    public void ResponseHeaderLinesAreZeroedWhenTheResponseEnds()
    {
        var headers = new HttpResponseHeaders();
        headers.Add("x-amz-server-side-encryption-customer-key-MD5"u8, "7PpPLAK26ONlVUGOWlusfg=="u8);
        ref byte start = ref MemoryMarshal.GetReference(headers.Encoded);
        int length = headers.Encoded.Length;
        headers.Reset();
        Assert.DoesNotContain(MemoryMarshal.CreateReadOnlySpan(ref start, length).ToArray(), b => b != 0);
    }
}
