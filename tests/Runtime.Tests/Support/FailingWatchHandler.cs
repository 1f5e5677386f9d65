using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests.Support;

/// <summary>
/// Fails the next <see cref="Remaining"/> watch requests as a down or flapping API server does, each after
/// <see cref="Lasting"/> on the fake clock (a connect that times out, a load balancer that holds the connection a
/// while): refused outright, or (<see cref="Broken"/>) answered 200 and then cut before the first event. Other
/// requests pass through.
/// </summary>
internal sealed class FailingWatchHandler(FakeTimeProvider time) : DelegatingHandler
{
    private int remaining;
    private int failures;

    public int Remaining
    {
        get => Volatile.Read(ref remaining);
        set => Volatile.Write(ref remaining, value);
    }

    public TimeSpan Lasting { get; init; } = TimeSpan.FromSeconds(2);

    public bool Broken { get; init; }

    public int Failures => Volatile.Read(ref failures);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) != true)
        {
            return base.SendAsync(request, cancellationToken);
        }

        if (Interlocked.Decrement(ref remaining) < 0)
        {
            Interlocked.Increment(ref remaining); // stays at 0
            return base.SendAsync(request, cancellationToken);
        }

        Interlocked.Increment(ref failures);
        time.Advance(Lasting);
        if (!Broken)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (127.0.0.1:6443)",
                new SocketException((int)SocketError.ConnectionRefused));
        }

        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StreamContent(new BrokenStream()),
            RequestMessage = request,
        });
    }

    /// <summary>A response body whose connection is reset before anything arrives.</summary>
    private sealed class BrokenStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => throw Reset();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw Reset();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw Reset();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static IOException Reset() =>
            new("Unable to read data from the transport connection: Connection reset by peer.", new SocketException((int)SocketError.ConnectionReset));
    }
}
