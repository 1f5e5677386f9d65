using System.IO.Pipelines;
using System.Text;

namespace CryptoIndex.Operator.Runtime.Tests.Support;

/// <summary>
/// Passes requests through, and in watch responses replaces the first event line that contains <see cref="Marker"/>
/// (once armed) with an event KubernetesClient cannot read (an unknown type), as a proxy or a server bug might: it
/// reports it through onError and reads on, so the event is lost to the client. (Broken JSON would end the watch
/// instead, and resuming from the last good version would get the event again.)
/// </summary>
internal sealed class CorruptingWatchHandler : DelegatingHandler
{
    private int armed;

    /// <summary>Text that picks the event line to corrupt.</summary>
    public string Marker { get; set; } = string.Empty;

    public int Corrupted { get; private set; }

    public void Arm() => Interlocked.Exchange(ref armed, 1);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri?.Query.Contains("watch=true", StringComparison.Ordinal) != true)
        {
            return response;
        }

        var source = await response.Content.ReadAsStreamAsync(cancellationToken);
        var pipe = new Pipe();
        _ = Task.Run(() => CopyLinesAsync(source, pipe.Writer), CancellationToken.None);
        var content = new StreamContent(pipe.Reader.AsStream());
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        return response;
    }

    private async Task CopyLinesAsync(Stream source, PipeWriter target)
    {
        try
        {
            using var reader = new StreamReader(source, Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Contains(Marker, StringComparison.Ordinal) && Interlocked.Exchange(ref armed, 0) == 1)
                {
                    line = """{"type":"BOGUS","object":{}}""";
                    Corrupted++;
                }

                await target.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The watch was closed: end the copy like the stream ended.
        }
        finally
        {
            await target.CompleteAsync();
        }
    }
}
