using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FastS3.Memory;
using FastS3.Testing;

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
        // Pools of the test's own, down to the arrays: an array given back to the shared pinned pool may
        // be rented at once by a connection of a test running beside this one, and hold its bytes by
        // the time it is read (CI run at eea4dd6+1).
        using var pool = new ClearingMemoryPool(new PinnedBufferPool());
        Assert.True(pool.MaxBufferSize >= size, "a larger block would bypass the pool, uncleared");
        IMemoryOwner<byte> block = pool.Rent(size);
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

    [Fact]
    public async Task TlsReadBuffersAreZeroedByTheReadThatEmptiesThem()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var socket = new RecordingNetworkStream(await listener.AcceptSocketAsync());
        await using var server = new ScrubbingSslStream(socket);
        await using var sender = new SslStream(client.GetStream(), false, (_, _, _, _) => true);
        await Task.WhenAll(
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = TestCertificate.Create().Context }),
            sender.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" }));

        byte[] request = RandomNumberGenerator.GetBytes(1000);
        await sender.WriteAsync(request);
        byte[] read = new byte[16 * 1024];
        int count = 0;
        while (count < request.Length)
        {
            count += await server.ReadAsync(read.AsMemory(count));
        }

        Assert.Equal(request, read[..count]);
        Assert.NotEmpty(socket.Buffers);
        Assert.All(socket.Buffers, buffer => Assert.True(buffer.AsSpan().IndexOf(request.AsSpan(0, 64)) < 0, "SslStream's buffer still holds the record it decrypted"));
    }

    /// <summary>The socket under the SslStream, noting the arrays SslStream reads its records into.</summary>
    private sealed class RecordingNetworkStream(Socket socket) : NetworkStream(socket, ownsSocket: true)
    {
        public List<byte[]> Buffers { get; } = [];

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (MemoryMarshal.TryGetArray<byte>(buffer, out ArraySegment<byte> segment) && segment.Count > 0)
            {
                Buffers.Add(segment.Array!);
            }

            return base.ReadAsync(buffer, cancellationToken);
        }
    }
}
