using System.CommandLine;
using System.Globalization;
using CryptoIndex.Operator.Crd;

// Every number and date the executable writes (status, Events, logs, command output) is culture-invariant. The build
// asks for invariant globalization, but DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=false in the environment turns it off,
// and then a format left implicit would follow the machine's culture: decimal commas, or ar-SA's Umm al-Qura calendar.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.DefaultThreadCurrentUICulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;

// The operator's one executable: each capability is a command of it.
var root = new RootCommand("CryptoIndex: crypto index funds as Kubernetes custom resources.");

var crdOutput = new Option<DirectoryInfo>("--output", "-o")
{
    Description = "Folder to write the CRD into.",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("config", "crds")),
};
var crds = new Command("crds", "Write the IndexFund CustomResourceDefinition, generated from the API types.") { crdOutput };
crds.SetAction(parse =>
{
    var folder = parse.GetValue(crdOutput)!;
    folder.Create();
    var path = Path.Combine(folder.FullName, CrdGenerator.FileName);
    File.WriteAllText(path, YamlWriter.Write(CrdGenerator.IndexFund()));
    Console.WriteLine($"wrote {path}");
    return 0;
});
root.Subcommands.Add(crds);

var file = new Option<string>("--file", "-f") { Description = "The fund manifest (YAML).", Required = true };
var name = new Option<string?>("--name") { Description = "Which IndexFund of the file (default: the first)." };
var output = new Option<string>("--output", "-o") { Description = "table, json or markdown.", DefaultValueFactory = _ => "table" };
OneOf(output, "table", "json", "markdown");

var prices = new Option<string?>("--prices") { Description = "Prices and market caps: {\"observedAt\": ..., \"assets\": {\"BTC\": {\"price\": ..., \"marketCap\": ...}}}." };
var provider = new Option<string?>("--provider") { Description = "coingecko: live prices instead of --prices (key from COINGECKO_API_KEY, if any)." };
var coinGeckoUrl = new Option<Uri?>("--coingecko-url") { Description = "CoinGecko API base URL (a proxy, or the Pro host)." };
var holdings = new Option<string?>("--holdings") { Description = "Current holdings (default: the capital in cash)." };
var now = new Option<DateTimeOffset?>("--now")
{
    Description = "The time to decide at, with its UTC offset, e.g. 2021-12-31T12:30:00Z (default: the prices' time).",
    CustomParser = result =>
    {
        var (time, error) = CryptoIndex.Operator.Cli.PlanInputs.ParseTime(result.Tokens.Count > 0 ? result.Tokens[0].Value : null, "--now");
        if (error is not null)
        {
            result.AddError(error);
        }

        return time;
    },
};
var plan = new Command("plan", "Show what the operator would do with a manifest at given prices: targets, drift, decision and orders.")
{
    file, name, prices, provider, coinGeckoUrl, holdings, now, output,
};
plan.SetAction((parse, _) => CryptoIndex.Operator.Cli.PlanCommand.RunAsync(
    parse.GetValue(file)!, parse.GetValue(prices), parse.GetValue(holdings), parse.GetValue(name), parse.GetValue(output)!, parse.GetValue(now), Console.Out, Console.Error,
    parse.GetValue(provider), parse.GetValue(coinGeckoUrl)));
root.Subcommands.Add(plan);

var data = new Option<string>("--data") { Description = "Folder of CoinGecko CSV exports, one <symbol>-usd-*.csv per constituent.", Required = true };
var from = new Option<DateOnly?>("--from") { Description = "First day (YYYY-MM-DD).", CustomParser = result => Day(result, "--from") };
var to = new Option<DateOnly?>("--to") { Description = "Last day (YYYY-MM-DD).", CustomParser = result => Day(result, "--to") };
var fee = new Option<string?>("--fee") { Description = "Fee rate per side instead of the manifest's, e.g. 0.1% or 0.001." };
var chart = new Option<string?>("--chart") { Description = "Write NAV over time, against the baselines, to this .svg or .png file." };
var backtest = new Command("backtest", "Replay a fund over daily history, beside buy-and-hold and daily rebalancing.")
{
    file, name, data, from, to, fee, output, chart,
};
backtest.SetAction(parse => CryptoIndex.Operator.Cli.BacktestCommand.Run(
    parse.GetValue(file)!, parse.GetValue(data)!, parse.GetValue(name), parse.GetValue(from), parse.GetValue(to), parse.GetValue(fee), parse.GetValue(output)!, parse.GetValue(chart), Console.Out, Console.Error));
root.Subcommands.Add(backtest);

const int defaultPort = 8081;
var port = new Option<int>("--port") { Description = "Port of /healthz, /readyz and (without --metrics-secure) /metrics.", DefaultValueFactory = _ => defaultPort };
var metricsSecure = new Option<bool>("--metrics-secure")
{
    Description = "Serve /metrics over HTTPS on --metrics-port, only to bearer tokens that a TokenReview authenticates and a SubjectAccessReview allows 'get' on /metrics (default: false, plain HTTP on --port).",
};
var metricsSecurePort = new Option<int?>("--metrics-port") { Description = "HTTPS port of /metrics with --metrics-secure (default: 8443)." };
var metricsCertDir = new Option<string?>("--metrics-cert-dir") { Description = "Folder with tls.crt and tls.key for /metrics with --metrics-secure (default: a self-signed certificate generated at start)." };
var kubeconfig = new Option<string?>("--kubeconfig") { Description = "Kubeconfig file (default: the first file of KUBECONFIG that exists, an error if none does; without KUBECONFIG, in-cluster, else ~/.kube/config)." };
var leaderElection = new Option<bool>("--leader-elect") { Description = "Elect a leader with a Lease, so only one replica trades (default: true; --leader-elect=false for a single local process).", DefaultValueFactory = _ => true };
var leaseNamespace = new Option<string>("--lease-namespace") { Description = "Namespace of the leader Lease.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("POD_NAMESPACE") ?? "default" };
var leaseName = new Option<string>("--lease-name") { Description = "Name of the leader Lease (two operators in one namespace need different names).", DefaultValueFactory = _ => CryptoIndex.Operator.OperatorApp.Component };
var concurrency = new Option<int>("--max-concurrent-reconciles") { Description = "Funds reconciled in parallel.", DefaultValueFactory = _ => 4 };
concurrency.Validators.Add(result =>
{
    if (result.GetValueOrDefault<int>() < 1)
    {
        result.AddError("--max-concurrent-reconciles: must be at least 1");
    }
});
var watchNamespaces = new Option<string[]>("--watch-namespaces")
{
    Description = "Reconcile IndexFunds only in these namespaces (comma-separated or repeated; default: all).",
    AllowMultipleArgumentsPerToken = true,
    CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
};
watchNamespaces.Validators.Add(result =>
{
    if (result.Tokens.Count > 0 && (result.GetValueOrDefault<string[]>() ?? []).Length == 0)
    {
        result.AddError("--watch-namespaces: name at least one namespace, or leave the option out to watch all");
    }

    foreach (var ns in result.GetValueOrDefault<string[]>() ?? [])
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(ns, "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"))
        {
            result.AddError($"--watch-namespaces: '{ns}' is not a namespace name (lowercase letters, digits and '-', at most 63)");
        }
    }
});
// No DefaultValueFactory: help would print the default as 00:00:30; the description says 30s instead.
var defaultGracefulShutdown = TimeSpan.FromSeconds(30);
var gracefulShutdown = new Option<TimeSpan?>("--graceful-shutdown-timeout")
{
    Description = "How long a stop waits for reconciles in flight (an order being sent), e.g. 1m (default: 30s); keep it below the pod's termination grace period.",
    CustomParser = result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (CryptoIndex.Operator.Api.Values.TryParseDuration(text, out var duration) && duration > TimeSpan.Zero)
        {
            return duration;
        }

        result.AddError($"--graceful-shutdown-timeout: '{text}' is not a positive duration such as 30s or 1m");
        return default;
    },
};
var defaultReconcileTimeout = TimeSpan.FromMinutes(5);
var reconcileTimeout = new Option<TimeSpan?>("--reconcile-timeout")
{
    Description = "How long one fund's reconcile may take before it is cancelled and retried with backoff, e.g. 10m (default: 5m; 0s: no limit); keep it above the market-data refresh timeout (2m).",
    CustomParser = result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (CryptoIndex.Operator.Api.Values.TryParseDuration(text, out var duration) && duration <= CryptoIndex.Operator.Runtime.TimerLimits.MaxDelay)
        {
            return duration;
        }

        result.AddError($"--reconcile-timeout: '{text}' is not a duration such as 5m or 0s (no limit)");
        return default;
    },
};
var run = new Command("run", "Run the operator: watch IndexFunds, keep them invested, report in status, Events and metrics.")
{
    port, kubeconfig, leaderElection, leaseNamespace, leaseName, concurrency, watchNamespaces, gracefulShutdown, reconcileTimeout,
    metricsSecure, metricsSecurePort, metricsCertDir,
};
run.Validators.Add(result =>
{
    if (CryptoIndex.Operator.Cli.SecureMetricsFlags.Problem(
        result.GetValue(metricsSecure),
        // A command validator does not see an option's default: --port's is put in here.
        result.GetResult(port) is { Tokens.Count: > 0 } given ? given.GetValueOrDefault<int>() : defaultPort,
        result.GetValue(metricsSecurePort),
        result.GetValue(metricsCertDir)) is { } problem)
    {
        result.AddError(problem);
    }
});
run.SetAction(async (parse, cancellationToken) =>
{
    Microsoft.AspNetCore.Builder.WebApplication app;
    try
    {
        app = CryptoIndex.Operator.OperatorApp.Build(new CryptoIndex.Operator.OperatorAppOptions
        {
            Port = parse.GetValue(port),
            SecureMetrics = CryptoIndex.Operator.Cli.SecureMetricsFlags.Options(parse.GetValue(metricsSecure), parse.GetValue(metricsSecurePort), parse.GetValue(metricsCertDir)),
            Kubeconfig = parse.GetValue(kubeconfig),
            LeaderElection = parse.GetValue(leaderElection),
            LeaseNamespace = parse.GetValue(leaseNamespace)!,
            LeaseName = parse.GetValue(leaseName)!,
            MaxConcurrentReconciles = parse.GetValue(concurrency),
            WatchNamespaces = parse.GetValue(watchNamespaces) ?? [],
            GracefulShutdownTimeout = parse.GetValue(gracefulShutdown) ?? defaultGracefulShutdown,
            ReconcileTimeout = (parse.GetValue(reconcileTimeout) ?? defaultReconcileTimeout) is { } limit && limit > TimeSpan.Zero ? limit : null,
        });
    }
    catch (CryptoIndex.Operator.Runtime.Hosting.MetricsCertificateException e)
    {
        Console.Error.WriteLine($"run: {e.Message}");
        return CryptoIndex.Operator.Cli.ExitCodes.InvalidInput;
    }
    catch (CryptoIndex.Operator.Runtime.Hosting.KubeconfigNotFoundException e)
    {
        // A kubeconfig named but missing: never another cluster instead.
        Console.Error.WriteLine($"run: {e.Message}");
        return CryptoIndex.Operator.Cli.ExitCodes.InvalidInput;
    }
    catch (CryptoIndex.Operator.Configuration.ConfigurationException e)
    {
        Console.Error.WriteLine($"run: {e.Message}");
        return CryptoIndex.Operator.Cli.ExitCodes.InvalidInput;
    }
    catch (k8s.Exceptions.KubeConfigException e)
    {
        // No cluster to talk to: say which, without a stack trace.
        Console.Error.WriteLine($"run: {e.Message}; pass --kubeconfig FILE, set KUBECONFIG, or run inside a cluster");
        return CryptoIndex.Operator.Cli.ExitCodes.InvalidInput;
    }

    await app.StartAsync(cancellationToken);
    await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(app, cancellationToken);
    return 0;
});
root.Subcommands.Add(run);

var sandboxPort = new Option<int>("--port") { Description = "Port of the in-process Kubernetes API server on 127.0.0.1 (default: any free port)." };
var sandboxKubeconfig = new Option<string>("--kubeconfig")
{
    Description = "Where to write the kubeconfig for kubectl.",
    DefaultValueFactory = _ => new CryptoIndex.Operator.Sandbox.SandboxOptions().Kubeconfig,
};
var metricsPort = new Option<int>("--metrics-port") { Description = "Port of the operator's /metrics, /healthz and /readyz (default: any free port)." };
var seed = new Option<int>("--seed") { Description = "Seed of the simulated market: the same seed gives the same prices.", DefaultValueFactory = _ => 42 };
var speed = new Option<double>("--speed")
{
    Description = "Simulated seconds per real second (3600: an hour per second; at most 100000).",
    DefaultValueFactory = _ => CryptoIndex.Operator.Sandbox.SandboxOptions.DefaultSpeed,
};
var sandboxData = new Option<string?>("--data") { Description = "Replay daily CoinGecko CSV exports (<symbol>-usd-*.csv) from this folder instead of simulating." };
var sandboxFrom = new Option<DateOnly?>("--from")
{
    Description = "With --data: the first day to replay, YYYY-MM-DD (default: the first day every asset has).",
    CustomParser = result => Day(result, "--from"),
};
var sandboxProvider = new Option<string>("--provider") { Description = "simulated (default) or coingecko (live prices, real time; needs the network).", DefaultValueFactory = _ => "simulated" };
OneOf(sandboxProvider, "simulated", "coingecko");
var noSamples = new Option<bool>("--no-samples") { Description = "Do not apply config/samples at start." };
var duration = new Option<TimeSpan?>("--duration")
{
    Description = "Run for this much simulated time (e.g. 24h, 7d), print a summary and exit.",
    CustomParser = result =>
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (text.EndsWith('d') && int.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days > 0)
        {
            return TimeSpan.FromDays(days);
        }

        if (CryptoIndex.Operator.Api.Values.TryParseDuration(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        result.AddError($"--duration: '{text}' is not a positive duration such as 90m, 24h or 7d");
        return null;
    },
};
var sandbox = new Command("sandbox", "Run the whole operator on this machine against an in-process Kubernetes API server, on a simulated market, with paper trading.")
{
    sandboxPort, sandboxKubeconfig, metricsPort, seed, speed, sandboxData, sandboxFrom, sandboxProvider, noSamples, duration,
};
sandbox.SetAction((parse, cancellationToken) => CryptoIndex.Operator.Sandbox.SandboxCommand.RunAsync(
    new CryptoIndex.Operator.Sandbox.SandboxOptions
    {
        Port = parse.GetValue(sandboxPort),
        Kubeconfig = parse.GetValue(sandboxKubeconfig)!,
        MetricsPort = parse.GetValue(metricsPort),
        Seed = parse.GetValue(seed),
        Speed = parse.GetValue(speed),
        DataDirectory = parse.GetValue(sandboxData),
        From = parse.GetValue(sandboxFrom),
        Provider = parse.GetValue(sandboxProvider)!,
        Samples = !parse.GetValue(noSamples),
        Duration = parse.GetValue(duration),
    },
    speedGiven: parse.GetResult(speed) is { Implicit: false },
    Console.Out,
    Console.Error,
    interactive: !Console.IsOutputRedirected,
    cancellationToken));
root.Subcommands.Add(sandbox);

// Signals are the host's: its console lifetime stops the operator gracefully (--graceful-shutdown-timeout), which
// System.CommandLine's own handling would cut short after 2 s.
// A bad option is an input error like any other (exit 2), never an invalid manifest (exit 1), whichever check finds it.
var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // A usage error is one line on stderr naming the option, and nothing on stdout: `plan ... -o json > plan.json`
    // must not leave the help text in plan.json.
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(UsageError(error, parsed.CommandResult.Command));
    }

    return CryptoIndex.Operator.Cli.ExitCodes.InvalidInput;
}

return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

// The parser's own messages, on one line, naming the option (a type name such as System.Nullable`1 never shows).
static string UsageError(System.CommandLine.Parsing.ParseError error, Command command)
{
    var message = System.Text.RegularExpressions.Regex.Replace(error.Message, @"\s+", " ").Trim();
    var required = System.Text.RegularExpressions.Regex.Match(message, "^Option '(?<name>[^']+)' is required\\.$");
    if (required.Success && command.Options.FirstOrDefault(o => o.Name == required.Groups["name"].Value) is { } missing)
    {
        return $"{string.Join('/', missing.Aliases.Order(StringComparer.Ordinal).Append(missing.Name))} is required: {missing.Description}";
    }

    var noValue = System.Text.RegularExpressions.Regex.Match(message, "^Required argument missing for option: '(?<name>[^']+)'\\.$");
    if (noValue.Success && command.Options.FirstOrDefault(o => o.Name == noValue.Groups["name"].Value) is { } bare)
    {
        return $"{bare.Name} needs a value: {bare.Description}";
    }

    var option = (error.SymbolResult as System.CommandLine.Parsing.OptionResult)?.Option
        ?? ((error.SymbolResult as System.CommandLine.Parsing.ArgumentResult)?.Parent as System.CommandLine.Parsing.OptionResult)?.Option;
    return option is null || message.StartsWith(option.Name + ":", StringComparison.Ordinal) ? message : $"{option.Name}: {message}";
}

// One of a few words: help lists them, and any other value is refused naming the option and the words.
static void OneOf(Option<string> option, params string[] values)
{
    option.CompletionSources.Add(values);
    option.Validators.Add(result =>
    {
        var value = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
        if (value is not null && !values.Contains(value, StringComparer.Ordinal))
        {
            result.AddError($"{option.Name}: '{value}' is not one of {string.Join(", ", values)}");
        }
    });
}

// Days are written one way only, YYYY-MM-DD: 03/04/2020 means different days to different people.
static DateOnly? Day(System.CommandLine.Parsing.ArgumentResult result, string option)
{
    var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
    if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
    {
        return day;
    }

    result.AddError($"{option}: '{text}' is not a date such as 2022-03-01");
    return null;
}
