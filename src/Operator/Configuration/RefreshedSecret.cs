using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace CryptoIndex.Operator.Configuration;

/// <summary>
/// A Secret value (the CoinGecko API key) read again once it is older than <see cref="MaxAge"/>, so that a rotated key
/// is used without a restart. When the Secret cannot be read again (deleted, forbidden, the API server down), the
/// value last read stays in use and a warning names the Secret, never the value.
/// </summary>
public sealed partial class RefreshedSecret
{
    /// <summary>How long a value read is used before the Secret is read again: one GET a minute at most.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly IKubernetes client;
    private readonly SecretKeyReference reference;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private string value;
    private DateTimeOffset readAt;

    /// <remarks><paramref name="initial"/>: the value read at start, at <paramref name="time"/>'s now.</remarks>
    public RefreshedSecret(IKubernetes client, SecretKeyReference reference, string initial, TimeProvider time, ILogger<RefreshedSecret> logger)
    {
        this.client = client ?? throw new ArgumentNullException(nameof(client));
        this.reference = reference ?? throw new ArgumentNullException(nameof(reference));
        value = initial ?? throw new ArgumentNullException(nameof(initial));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
        readAt = time.GetUtcNow();
    }

    /// <summary>The current value: the one last read, or the Secret's now when that one is older than <see cref="MaxAge"/>.</summary>
    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (now - readAt < MaxAge)
            {
                return value;
            }

            readAt = now; // one reader at a time goes to the API server; the others keep the value they have
        }

        try
        {
            var read = await SecretReader.ReadAsync(client, reference, cancellationToken).ConfigureAwait(false);
            lock (gate)
            {
                value = read;
                return value;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or HttpOperationException or HttpRequestException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // The messages name the Secret and the key, or the API server's status: never the value.
            LogKept(reference.Namespace, reference.Name, reference.Key, e.Message);
            lock (gate)
            {
                return value;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Secret {Namespace}/{Name} (key {Key}) could not be read again; the value read before stays in use: {Reason}")]
    private partial void LogKept(string @namespace, string name, string key, string reason);
}
