using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CryptoIndex.Engine.Ledger;
using CryptoIndex.Engine.Planning;
using CryptoIndex.Engine.Portfolio;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace CryptoIndex.Exchanges.Binance;

/// <summary>
/// Binance spot (REST API v3) for one account. Signed requests carry the timestamp on Binance's clock (local time
/// plus the offset measured from <c>/api/v3/time</c>) and <c>recvWindow</c>; symbol rules come from
/// <c>exchangeInfo</c> and are cached; orders are MARKET with <c>newClientOrderId</c> and a FULL response. Reads are
/// retried on timeouts and 5xx (Polly); <c>POST /api/v3/order</c> never is: the executor looks an unanswered order up
/// before it sends it again. Timeouts run on the injected <see cref="TimeProvider"/>. Every request (each attempt) is
/// counted and timed in <see cref="ExchangeMetrics"/> by method, path and status, and a Retry-After of a rate limit or
/// ban sets when the back-off lifts. That back-off is kept in a <see cref="BinanceBackOff"/> shared by every client of
/// the venue (Binance bans per IP): until it lifts, every request is refused here without being sent.
/// </summary>
public sealed class BinanceExchange : IExchange
{
    /// <summary>Trades read per <c>myTrades</c> request: Binance's maximum <c>limit</c>.</summary>
    private const int TradesPage = 1000;

    /// <summary>
    /// The most <c>myTrades</c> pages one look-up reads (100,000 trades, far beyond any market order the planner sends):
    /// an answer whose trades never add up (quantities of zero, or dust) must end the look-up, not page for ever.
    /// </summary>
    internal const int MaxTradesPages = 100;

    private readonly HttpClient http;
    private readonly BinanceCredentials? credentials;
    private readonly BinanceOptions options;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly ExchangeMetrics metrics;
    private readonly BinanceBackOff backOff;
    private readonly ResiliencePipeline reads;
    private readonly ConcurrentDictionary<string, (SymbolRules Rules, DateTimeOffset FetchedAt)> rules = new(StringComparer.Ordinal);
    private readonly Lock clockGate = new();
    private TimeSpan offset;
    private DateTimeOffset? syncedAt;

    public BinanceExchange(
        HttpClient http,
        BinanceCredentials credentials,
        BinanceOptions options,
        TimeProvider time,
        ILogger<BinanceExchange> logger,
        ExchangeMetrics? metrics = null,
        BinanceBackOff? backOff = null)
        : this(credentials ?? throw new ArgumentNullException(nameof(credentials)), http, options, time, logger, metrics, backOff)
    {
    }

    /// <summary>
    /// A client without credentials, for Binance's public data only (<see cref="GetSymbolRulesAsync"/>: exchangeInfo
    /// needs no API key). Every signed request (balances, account, orders, look-ups) is refused before anything is
    /// sent: it cannot place an order or sign anything.
    /// </summary>
    public static BinanceExchange PublicData(
        HttpClient http, BinanceOptions options, TimeProvider time, ILogger<BinanceExchange> logger, ExchangeMetrics? metrics = null, BinanceBackOff? backOff = null) =>
        new(null, http, options, time, logger, metrics, backOff);

    private BinanceExchange(
        BinanceCredentials? credentials,
        HttpClient http,
        BinanceOptions options,
        TimeProvider time,
        ILogger<BinanceExchange> logger,
        ExchangeMetrics? metrics,
        BinanceBackOff? backOff)
    {
        this.http = http ?? throw new ArgumentNullException(nameof(http));
        this.credentials = credentials;
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
        this.metrics = metrics ?? ExchangeMetrics.Unregistered();

        // Without a shared one (tests, a single client) the back-off still holds for this client's own requests.
        this.backOff = backOff ?? new BinanceBackOff();
        if (options.RecvWindow <= TimeSpan.Zero || options.RecvWindow > TimeSpan.FromSeconds(60))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "recvWindow must be above 0 and at most 60 s (Binance's limit)");
        }

        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.ReadRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<ExchangeException>(e => e.Kind == ExchangeErrorKind.Unavailable),
                MaxRetryAttempts = options.ReadRetries,
                Delay = options.ReadRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
        }

        reads = builder.Build();
    }

    private string? accountId;

    public string Name => "binance";

    public string QuoteAsset => options.QuoteAsset;

    public TimeSpan AcceptanceWindow => options.RecvWindow + options.ClockMargin;

    /// <summary>Binance holds the orders: each is recorded before it is sent and looked up when its outcome is unknown.</summary>
    public bool KeepsNoOrders => false;

    public async Task<IReadOnlyDictionary<string, SymbolRules>> GetSymbolRulesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var now = time.GetUtcNow();
        var missing = assets.Where(a => !rules.TryGetValue(a, out var cached) || now - cached.FetchedAt > options.ExchangeInfoTtl).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            var symbols = "[" + string.Join(',', missing.Select(a => "\"" + Pair(a) + "\"")) + "]";
            var info = await ReadAsync("exchange info", "/api/v3/exchangeInfo", [("symbols", symbols)], signed: false, cancellationToken).ConfigureAwait(false);
            var answered = new HashSet<string>(StringComparer.Ordinal);
            foreach (var symbol in info.GetProperty("symbols").EnumerateArray())
            {
                var asset = symbol.GetProperty("baseAsset").GetString() ?? string.Empty;
                answered.Add(asset);

                // A market in BREAK or HALT takes no orders: drop what was cached for it, so planning stops with a clear reason.
                if (string.Equals(symbol.GetProperty("status").GetString(), "TRADING", StringComparison.Ordinal))
                {
                    rules[asset] = (BinanceJson.Rules(symbol), now);
                }
                else
                {
                    rules.TryRemove(asset, out _);
                }
            }

            foreach (var asset in missing.Where(a => !answered.Contains(a)))
            {
                // Asked for and not answered (delisted): nothing cached may stand in for it.
                rules.TryRemove(asset, out _);
            }
        }

        var result = new Dictionary<string, SymbolRules>(StringComparer.Ordinal);
        foreach (var asset in assets)
        {
            result[asset] = rules.TryGetValue(asset, out var cached) && now - cached.FetchedAt <= options.ExchangeInfoTtl
                ? cached.Rules
                : throw new ExchangeException(ExchangeErrorKind.Rejected, $"Binance exchange info: no {Pair(asset)} market open for trading");
        }

        return result;
    }

    public async Task<Holdings> GetBalancesAsync(IReadOnlyCollection<string> assets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assets);
        var account = await ReadAsync("account", "/api/v3/account", [("omitZeroBalances", "true")], signed: true, cancellationToken).ConfigureAwait(false);
        var cash = 0m;
        var quantities = new List<(string, decimal)>();
        foreach (var balance in account.GetProperty("balances").EnumerateArray())
        {
            var asset = balance.GetProperty("asset").GetString() ?? string.Empty;
            var total = BinanceJson.Decimal(balance, "free") + BinanceJson.Decimal(balance, "locked");
            if (string.Equals(asset, QuoteAsset, StringComparison.Ordinal))
            {
                cash = total;
            }
            else if (assets.Contains(asset, StringComparer.Ordinal))
            {
                quantities.Add((asset, total));
            }
        }

        return Holdings.Of(cash, [.. quantities]);
    }

    /// <summary>
    /// A digest of the account's <c>uid</c> from <c>GET /api/v3/account</c> (<c>uid-</c> and 12 hex digits: it goes
    /// into the fund's status, the account number does not); read once per client, and there is one client per set
    /// of keys.
    /// </summary>
    public async Task<string?> GetAccountAsync(CancellationToken cancellationToken)
    {
        if (accountId is { } known)
        {
            return known;
        }

        var account = await ReadAsync("account", "/api/v3/account", [("omitZeroBalances", "true")], signed: true, cancellationToken).ConfigureAwait(false);
        accountId = account.TryGetProperty("uid", out var uid) && uid.ValueKind is JsonValueKind.Number or JsonValueKind.String
            ? "uid-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(uid.ToString())))[..12]
            : null;
        return accountId;
    }

    public async Task<DateTimeOffset> GetTimeAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset? synced;
        lock (clockGate)
        {
            synced = syncedAt;
        }

        if (synced is null || time.GetUtcNow() - synced > options.TimeSyncInterval)
        {
            // Offset = server time − the midpoint of the round trip: the best estimate without knowing the asymmetry.
            var before = time.GetUtcNow();
            var answer = await ReadAsync("server time", "/api/v3/time", [], signed: false, cancellationToken).ConfigureAwait(false);
            var after = time.GetUtcNow();
            var server = DateTimeOffset.FromUnixTimeMilliseconds(answer.GetProperty("serverTime").GetInt64());
            var measured = server - (before + ((after - before) / 2));
            lock (clockGate)
            {
                offset = measured;
                syncedAt = after;
            }

            BinanceLog.ClockSynced(logger, measured.TotalMilliseconds);
        }

        lock (clockGate)
        {
            return time.GetUtcNow() + offset;
        }
    }

    public async Task<OrderReport> PlaceMarketOrderAsync(MarketOrder order, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(order);
        (string, string)[] parameters =
        [
            ("symbol", Pair(order.Asset)),
            ("side", order.Side == OrderSide.Buy ? "BUY" : "SELL"),
            ("type", "MARKET"),
            ("quantity", BinanceJson.Text(order.Quantity)),
            ("newClientOrderId", order.ClientOrderId),
            ("newOrderRespType", "FULL"),
        ];
        var answer = await SendAsync(HttpMethod.Post, "order", "/api/v3/order", parameters, signed: true, order.Timestamp, cancellationToken).ConfigureAwait(false);
        try
        {
            var fills = answer.TryGetProperty("fills", out var list)
                ? list.EnumerateArray().Select(f => BinanceJson.Fill(f, order.Asset, QuoteAsset, order.Side)).ToImmutableList()
                : [];
            var report = BinanceJson.Order(answer, order.Asset, fills);
            if (report.Fills.Sum(f => f.Quantity) != report.ExecutedQuantity)
            {
                throw new FormatException("fills do not add up to the executed quantity");
            }

            LogExternalCommissions(order.ClientOrderId, order.Asset, fills);
            return report;
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            // Binance answered 200, so the order exists; what it says is unreadable. Look it up rather than guess.
            throw new ExchangeException(ExchangeErrorKind.InvalidResponse, $"Binance order: unreadable answer for {order.ClientOrderId}");
        }
    }

    public async Task<OrderReport?> FindOrderAsync(string asset, string clientOrderId, CancellationToken cancellationToken)
    {
        JsonElement order;
        try
        {
            order = await ReadAsync(
                "order look-up", "/api/v3/order", [("symbol", Pair(asset)), ("origClientOrderId", clientOrderId)], signed: true, cancellationToken).ConfigureAwait(false);
        }
        catch (ExchangeException e) when (e.Code == BinanceErrors.NoSuchOrder)
        {
            return null;
        }

        try
        {
            var side = BinanceJson.Side(order.GetProperty("side").GetString());
            var fills = ImmutableList<Fill>.Empty;
            var executed = BinanceJson.Decimal(order, "executedQty");
            if (executed > 0m)
            {
                // GET /order has no fills; the trades of the order carry prices and commissions.
                var orderId = order.GetProperty("orderId").GetInt64().ToString(CultureInfo.InvariantCulture);
                fills = await TradesAsync(asset, orderId, side, executed, cancellationToken).ConfigureAwait(false);
                if (fills.Sum(f => f.Quantity) != executed)
                {
                    // Trades can lag the order's status: recording half the fills would corrupt the ledger, so wait.
                    throw new ExchangeException(ExchangeErrorKind.Unavailable, $"Binance trades look-up: the trades of {clientOrderId} do not add up to its executed quantity yet");
                }
            }

            var report = BinanceJson.Order(order, asset, fills);
            LogExternalCommissions(clientOrderId, asset, fills);
            return report;
        }
        catch (Exception e) when (e is FormatException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            throw new ExchangeException(ExchangeErrorKind.InvalidResponse, $"Binance order look-up: unreadable answer for {clientOrderId}");
        }
    }

    /// <summary>
    /// The trades of one order, oldest first, <see cref="TradesPage"/> at a time (Binance's maximum; without
    /// <c>limit</c> it answers 500, so a large order never added up). Every page names <c>fromId</c>, the first page 0:
    /// without it Binance answers the most recent trades, and the oldest would be missed. The next page starts after
    /// the last trade id; reading stops once the trades add up to <paramref name="executed"/> or a page comes back
    /// short (nothing more yet: the caller then reports the trades as lagging); <see cref="MaxTradesPages"/> pages that
    /// still do not add up, or a trade of no quantity, make the answer unreadable.
    /// </summary>
    private async Task<ImmutableList<Fill>> TradesAsync(string asset, string orderId, OrderSide side, decimal executed, CancellationToken cancellationToken)
    {
        var fills = ImmutableList.CreateBuilder<Fill>();
        var total = 0m;
        var fromId = 0L;
        for (var pages = 1; ; pages++)
        {
            var page = await ReadAsync(
                "trades look-up",
                "/api/v3/myTrades",
                [
                    ("symbol", Pair(asset)),
                    ("orderId", orderId),
                    ("fromId", fromId.ToString(CultureInfo.InvariantCulture)),
                    ("limit", TradesPage.ToString(CultureInfo.InvariantCulture)),
                ],
                signed: true,
                cancellationToken).ConfigureAwait(false);
            var count = 0;
            var lastId = fromId - 1;
            foreach (var trade in page.EnumerateArray())
            {
                // Ids must rise from fromId: otherwise the next page could repeat trades (counted twice) or never end.
                var id = trade.GetProperty("id").GetInt64();
                if (id <= lastId)
                {
                    throw new FormatException("trades are not in increasing id order from fromId");
                }

                var fill = BinanceJson.Fill(trade, asset, QuoteAsset, side);
                if (fill.Quantity <= 0m)
                {
                    throw new FormatException("a trade's quantity is not positive");
                }

                fills.Add(fill);
                total += fill.Quantity;
                lastId = id;
                count++;
            }

            if (count < TradesPage || total >= executed)
            {
                return fills.ToImmutable();
            }

            if (pages == MaxTradesPages)
            {
                throw new FormatException($"{MaxTradesPages} pages of trades do not add up to the executed quantity");
            }

            fromId = lastId + 1;
        }
    }

    /// <summary>
    /// Says once per order and asset what the account paid outside the fund (BNB fee discount), since the fund's fees
    /// will not show it. Amounts and ids only: nothing from the request.
    /// </summary>
    private void LogExternalCommissions(string clientOrderId, string asset, ImmutableList<Fill> fills)
    {
        foreach (var paid in fills.Where(f => f.FeeCurrency == FeeCurrency.External).GroupBy(f => f.FeeAsset!, StringComparer.Ordinal))
        {
            BinanceLog.ExternalCommission(logger, clientOrderId, paid.Sum(f => f.Fee), paid.Key, asset);
        }
    }

    private string Pair(string asset) => asset + QuoteAsset;

    private Task<JsonElement> ReadAsync(string operation, string path, (string Name, string Value)[] parameters, bool signed, CancellationToken cancellationToken) =>
        reads.ExecuteAsync(
            async token => await SendAsync(HttpMethod.Get, operation, path, parameters, signed, null, token).ConfigureAwait(false),
            cancellationToken).AsTask();

    /// <summary>
    /// One request. The signature is the HMAC of the exact query string sent. A request that gets no answer is
    /// <see cref="ExchangeErrorKind.OutcomeUnknown"/> for an order and <see cref="ExchangeErrorKind.Unavailable"/>
    /// for a read. Nothing from the request (query, headers) goes into an error.
    /// </summary>
    private async Task<JsonElement> SendAsync(
        HttpMethod method, string operation, string path, (string Name, string Value)[] parameters, bool signed, DateTimeOffset? timestamp, CancellationToken cancellationToken)
    {
        var isOrder = method == HttpMethod.Post;
        if ((signed || isOrder) && credentials is null)
        {
            throw new InvalidOperationException($"Binance {operation}: this client has no credentials and reads public data only");
        }

        // During a ban or rate limit nothing is sent (more requests make Binance ban longer). The refusal is the kind
        // Binance would answer (RateLimited / IpBanned: nothing executed), so an order refused here stays pending.
        if (backOff.Refusal(options.BaseAddress, operation, time.GetUtcNow()) is { } refused)
        {
            BinanceLog.Failed(logger, method.Method, path, refused.Message);
            throw refused;
        }

        var query = string.Join('&', parameters.Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value)));
        if (signed)
        {
            var stamp = timestamp ?? await GetTimeAsync(cancellationToken).ConfigureAwait(false);
            query += string.Create(
                CultureInfo.InvariantCulture,
                $"{(query.Length > 0 ? "&" : string.Empty)}recvWindow={(long)options.RecvWindow.TotalMilliseconds}&timestamp={stamp.ToUnixTimeMilliseconds()}");
            query += "&signature=" + credentials!.Sign(query);
        }

        using var request = new HttpRequestMessage(method, new Uri(options.BaseAddress, path.TrimStart('/') + (query.Length > 0 ? "?" + query : string.Empty)));
        if (signed)
        {
            request.Headers.Add("X-MBX-APIKEY", credentials!.ApiKey);
        }

        using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        string body;
        HttpResponseMessage? response = null;
        var started = time.GetTimestamp();
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            Measure(method, path, "timeout", started);
            throw NoAnswer(method, operation, path, isOrder, string.Create(CultureInfo.InvariantCulture, $"no answer within {options.RequestTimeout.TotalSeconds:0.###}s"));
        }
        catch (HttpRequestException e)
        {
            // A status that reached us but whose body could not be read (too large, cut off) is still Binance's answer.
            Measure(method, path, response is null ? "network" : ExchangeMetrics.StatusClass((int)response.StatusCode), started);
            response?.Dispose();

            // The exception's own message can quote the URL; only its category is reported.
            throw NoAnswer(method, operation, path, isOrder, "connection failed (" + e.HttpRequestError + ")");
        }
        catch
        {
            // Cancelled by the caller (shutdown): not an answer of the exchange, so not measured.
            response?.Dispose();
            throw;
        }

        using (response)
        {
            Measure(method, path, ExchangeMetrics.StatusClass((int)response.StatusCode), started);
            BinanceLog.Answered(logger, method.Method, path, (int)response.StatusCode);
            if (!response.IsSuccessStatusCode)
            {
                var error = BinanceErrors.Map(operation, isOrder, response.StatusCode, body, BinanceErrors.RetryAfter(response, time), credentials);
                if (error is { Kind: ExchangeErrorKind.RateLimited or ExchangeErrorKind.IpBanned, RetryAfter: { } wait })
                {
                    var until = time.GetUtcNow() + wait;
                    metrics.BackOff(Name, until);
                    backOff.Record(options.BaseAddress, error.Kind, until);
                }

                if (error.Kind == ExchangeErrorKind.InvalidTimestamp)
                {
                    lock (clockGate)
                    {
                        syncedAt = null;
                    }
                }

                BinanceLog.Failed(logger, method.Method, path, error.Message);
                throw error;
            }

            try
            {
                using var document = JsonDocument.Parse(body);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new ExchangeException(
                    isOrder ? ExchangeErrorKind.InvalidResponse : ExchangeErrorKind.Unavailable, $"Binance {operation}: the answer is not JSON", httpStatus: (int)response.StatusCode);
            }
        }
    }

    /// <summary>One request in the metrics; <paramref name="path"/> is always one of this client's fixed API paths.</summary>
    private void Measure(HttpMethod method, string path, string status, long started)
    {
        metrics.Requests.WithLabels(Name, method.Method, path, status).Inc();
        metrics.RequestDuration.WithLabels(Name, method.Method, path).Observe(time.GetElapsedTime(started).TotalSeconds);
    }

    private ExchangeException NoAnswer(HttpMethod method, string operation, string path, bool isOrder, string reason)
    {
        var error = new ExchangeException(
            isOrder ? ExchangeErrorKind.OutcomeUnknown : ExchangeErrorKind.Unavailable,
            $"Binance {operation}: {reason}" + (isOrder ? "; the order may have executed" : string.Empty));
        BinanceLog.Failed(logger, method.Method, path, error.Message);
        return error;
    }
}
