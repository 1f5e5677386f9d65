namespace CryptoIndex.Operator.Sandbox;

/// <summary>Where the sandbox's prices come from.</summary>
public enum SandboxMarketKind
{
    /// <summary>The seeded random walk (the default).</summary>
    Simulated,

    /// <summary>Daily CoinGecko CSV exports, replayed (<c>--data DIR</c>).</summary>
    Replay,

    /// <summary>The live CoinGecko API, in real time (<c>--provider coingecko</c>).</summary>
    CoinGecko,
}

/// <summary>The sandbox command's settings, as given on its command line.</summary>
public sealed record SandboxOptions
{
    /// <summary>The API server's port on 127.0.0.1 (0: any free port).</summary>
    public int Port { get; init; }

    /// <summary>Where the kubeconfig for kubectl is written.</summary>
    public string Kubeconfig { get; init; } = Path.Combine(Path.GetTempPath(), "cryptoindex-sandbox", "kubeconfig");

    /// <summary>Port of the operator's /metrics, /healthz and /readyz (0: any free port).</summary>
    public int MetricsPort { get; init; }

    public int Seed { get; init; } = 42;

    /// <summary>Simulated seconds per real second.</summary>
    public double Speed { get; init; } = DefaultSpeed;

    public string? DataDirectory { get; init; }

    public DateOnly? From { get; init; }

    public string Provider { get; init; } = "simulated";

    public bool Samples { get; init; } = true;

    /// <summary>Simulated time to run for, then print a summary and exit; null runs until Ctrl+C.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// An hour of market per second: every fund is invested within a second, and drift-driven rebalances follow within
    /// minutes (a day of market every 24 s).
    /// </summary>
    public const double DefaultSpeed = 3600;

    /// <summary>About a day per second: faster, the operator's refreshes cannot keep up and the clock's arithmetic strains.</summary>
    public const double MaxSpeed = 100_000;

    public SandboxMarketKind Market => DataDirectory is not null ? SandboxMarketKind.Replay
        : Provider == "coingecko" ? SandboxMarketKind.CoinGecko
        : SandboxMarketKind.Simulated;

    /// <summary>The first rule the options break, naming the option, or null.</summary>
    public string? Validate(bool speedGiven)
    {
        if (Provider is not ("simulated" or "coingecko"))
        {
            return $"--provider: '{Provider}' is not simulated or coingecko";
        }

        if (From is not null && DataDirectory is null)
        {
            return "--from: only with --data (the first day of history to replay)";
        }

        if (DataDirectory is not null && Provider == "coingecko")
        {
            return "--data and --provider coingecko exclude each other: replay history or read live prices";
        }

        if (!double.IsFinite(Speed) || Speed <= 0 || Speed > MaxSpeed)
        {
            return "--speed: must be a positive number of simulated seconds per second, at most 100000";
        }

        if (Market == SandboxMarketKind.CoinGecko && speedGiven && Speed != 1)
        {
            return "--speed: live prices cannot run faster than real time; drop --speed or use the simulated market";
        }

        if (Port is < 0 or > 65535 || MetricsPort is < 0 or > 65535)
        {
            return "--port and --metrics-port: must be 0 (any free port) to 65535";
        }

        return Duration is { } d && d <= TimeSpan.Zero ? "--duration: must be positive, e.g. 24h or 7d" : null;
    }
}
