using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Exchanges.Tests.Fake;

/// <summary>
/// A Binance spot REST API on 127.0.0.1 for tests, following the wire formats of the reference (§6.3, §7.1): API key
/// header and HMAC-SHA256 signature over the exact query string, the timestamp/recvWindow rule on its own clock (the
/// test's <see cref="FakeTimeProvider"/> plus <see cref="Skew"/>), LOT_SIZE, MARKET_LOT_SIZE and NOTIONAL filters, the
/// newClientOrderId alphabet, balances, MARKET orders with FULL responses, look-up by origClientOrderId, myTrades (paged
/// by limit and fromId), and injected faults.
/// </summary>
public sealed partial class FakeBinance : IAsyncDisposable
{
    public const string ApiKey = "fake-api-key-vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    public const string SecretKey = "fake-secret-NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

    /// <summary>Keys of another account (<see cref="OtherAccountUid"/>), as a Secret edited to the wrong keys would hold.</summary>
    public const string OtherApiKey = "fake-other-api-key-Qw3rTyUi0pAsDfGhJkLzXcVbNm1234567890qWeRtYuIoPaSdFgHjKlZx";

    public const string OtherSecretKey = "fake-other-secret-ZxCvBnMaSdFgHjKlQwErTyUiOp0987654321zXcVbNmAsDfGhJkLqWeRtY";

    public const long OtherAccountUid = 22222222;

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<Fault>> faults = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<Fault> held = new();
    private long nextOrderId = 1000;
    private long nextTradeId = 5000;

    private FakeBinance(WebApplication app, FakeState state, FakeTimeProvider time)
    {
        this.app = app;
        State = state;
        Time = time;
    }

    public FakeState State { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Binance's clock minus the operator's.</summary>
    public TimeSpan Skew { get; set; }

    /// <summary>How far the clock jumps on a <see cref="FaultKind.TimeoutAfter"/>: past any client timeout.</summary>
    public TimeSpan TimeoutJump { get; set; } = TimeSpan.FromSeconds(30);

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public ConcurrentQueue<string> RequestLog { get; } = new();

    public static async Task<FakeBinance> StartAsync(FakeState state, FakeTimeProvider time)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        var app = builder.Build();
        var fake = new FakeBinance(app, state, time);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        return fake;
    }

    /// <summary>Queues a fault for the next request to <paramref name="endpoint"/>, e.g. <c>POST /api/v3/order</c>.</summary>
    public void Inject(string endpoint, Fault fault) => faults.GetOrAdd(endpoint, _ => new ConcurrentQueue<Fault>()).Enqueue(fault);

    /// <summary>
    /// Queues a fault for the <paramref name="nth"/> request to <paramref name="endpoint"/> after the faults already
    /// queued for it (1 = the next when none are).
    /// </summary>
    public void InjectAt(string endpoint, int nth, Fault fault)
    {
        for (var i = 1; i < nth; i++)
        {
            Inject(endpoint, Fault.None());
        }

        Inject(endpoint, fault);
    }

    public int PendingFaults => faults.Values.Sum(q => q.Count);

    public void ClearFaults() => faults.Clear();

    public async ValueTask DisposeAsync()
    {
        // A test that failed before releasing a held request must not keep the server's shutdown waiting.
        foreach (var fault in faults.Values.SelectMany(q => q).Concat(held))
        {
            fault.Release.TrySetResult();
        }

        await app.StopAsync();
        await app.DisposeAsync();
    }

    private long ServerMillis => (Time.GetUtcNow() + Skew).ToUnixTimeMilliseconds();

    private async Task HandleAsync(HttpContext context)
    {
        var endpoint = context.Request.Method + " " + context.Request.Path;
        RequestLog.Enqueue(endpoint + context.Request.QueryString);
        var fault = faults.TryGetValue(endpoint, out var queue) && queue.TryDequeue(out var next) ? next : null;
        if (fault?.Kind == FaultKind.Latency)
        {
            Time.Advance(fault.Latency!.Value);
        }

        if (fault?.Kind == FaultKind.Hold)
        {
            held.Enqueue(fault);
            fault.Arrived.SetResult();
            await fault.Release.Task;
            try
            {
                await HandleSignedAsync(context, endpoint, fault);
            }
            finally
            {
                fault.Processed.SetResult();
            }

            return;
        }

        if (fault is { Kind: FaultKind.ServerErrorBefore })
        {
            await Write(context, fault.Status, "<html>Service Unavailable</html>");
            return;
        }

        if (fault is { Kind: FaultKind.Redirect })
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = new Uri(BaseAddress, "elsewhere").ToString();
            return;
        }

        if (fault is { Kind: FaultKind.Huge })
        {
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            var chunk = new byte[1 << 20];
            Array.Fill(chunk, (byte)' ');
            for (var sent = 0L; sent < fault.Bytes; sent += chunk.Length)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }

            await context.Response.Body.WriteAsync("{}"u8.ToArray(), context.RequestAborted);
            return;
        }

        if (fault is { Kind: FaultKind.Unreadable })
        {
            await Write(context, 200, "{\"unexpected\":true}");
            return;
        }

        if (fault is { Kind: FaultKind.RateLimit })
        {
            context.Response.Headers.RetryAfter = ((int)fault.RetryAfter!.Value.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await Error(context, fault.Status, -1003, "Too many requests; current limit is 6000 request weight per 1 MINUTE.");
            return;
        }

        if (fault is { Kind: FaultKind.Reject })
        {
            await Error(context, fault.Status, fault.Code, fault.Message);
            return;
        }

        await HandleSignedAsync(context, endpoint, fault);
    }

    private async Task HandleSignedAsync(HttpContext context, string endpoint, Fault? fault)
    {
        var query = context.Request.Query;
        var signed = endpoint is "GET /api/v3/account" or "GET /api/v3/order" or "POST /api/v3/order" or "GET /api/v3/myTrades";
        if (signed && await RefuseUnsigned(context))
        {
            return;
        }

        switch (endpoint)
        {
            case "GET /api/v3/time":
                await Json(context, new { serverTime = ServerMillis });
                return;
            case "GET /api/v3/exchangeInfo":
                await ExchangeInfo(context, query["symbols"].ToString());
                return;
            case "GET /api/v3/account":
                await Account(context);
                return;
            case "POST /api/v3/order":
                await PlaceOrder(context, fault);
                return;
            case "GET /api/v3/order":
                await GetOrder(context, query["symbol"].ToString(), query["origClientOrderId"].ToString(), fault);
                return;
            case "GET /api/v3/myTrades":
                await MyTrades(context, query, fault?.Kind == FaultKind.TradesLag);
                return;
            default:
                await Error(context, 404, -1000, "unknown endpoint");
                return;
        }
    }

    /// <summary>API key, signature over the exact query string (and body), and the timestamp rule.</summary>
    private async Task<bool> RefuseUnsigned(HttpContext context)
    {
        var apiKey = context.Request.Headers["X-MBX-APIKEY"].ToString();
        var secretKey = apiKey == ApiKey ? SecretKey : apiKey == OtherApiKey ? OtherSecretKey : null;
        if (secretKey is null)
        {
            await Error(context, 401, -2015, "Invalid API-key, IP, or permissions for action.");
            return true;
        }

        context.Items["uid"] = apiKey == OtherApiKey ? OtherAccountUid : null;

        var raw = (context.Request.QueryString.Value ?? string.Empty).TrimStart('?');
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var at = raw.LastIndexOf("&signature=", StringComparison.Ordinal);
        var payload = (at < 0 ? raw : raw[..at]) + body;
        var signature = at < 0 ? string.Empty : raw[(at + "&signature=".Length)..];
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secretKey), Encoding.UTF8.GetBytes(payload)));
        if (!string.Equals(signature, expected, StringComparison.Ordinal))
        {
            await Error(context, 400, -1022, "Signature for this request is not valid.");
            return true;
        }

        var timestamp = long.Parse(context.Request.Query["timestamp"].ToString(), CultureInfo.InvariantCulture);
        var window = context.Request.Query.TryGetValue("recvWindow", out var w) ? long.Parse(w.ToString(), CultureInfo.InvariantCulture) : 5000;
        var server = ServerMillis;
        if (!(timestamp < server + 1000 && server - timestamp <= window))
        {
            await Error(context, 400, -1021, "Timestamp for this request is outside of the recvWindow.");
            return true;
        }

        return false;
    }

    private async Task ExchangeInfo(HttpContext context, string symbolsJson)
    {
        var wanted = JsonSerializer.Deserialize<string[]>(symbolsJson) ?? [];
        var symbols = new List<object>();
        lock (State.Gate)
        {
            foreach (var pair in wanted)
            {
                var asset = pair.EndsWith(State.QuoteAsset, StringComparison.Ordinal) ? pair[..^State.QuoteAsset.Length] : string.Empty;
                if (!State.Symbols.TryGetValue(asset, out var s))
                {
                    symbols.Clear();
                    break;
                }

                symbols.Add(new
                {
                    symbol = pair,
                    status = s.Status,
                    baseAsset = asset,
                    quoteAsset = State.QuoteAsset,
                    filters = new object[]
                    {
                        new { filterType = "PRICE_FILTER", minPrice = "0.01000000", maxPrice = "1000000.00000000", tickSize = "0.01000000" },
                        new { filterType = "LOT_SIZE", minQty = N(s.MinQuantity), maxQty = N(s.MaxQuantity), stepSize = N(s.StepSize) },
                        new { filterType = "MARKET_LOT_SIZE", minQty = N(s.MarketMinQuantity), maxQty = N(s.MarketMax), stepSize = N(s.MarketStepSize) },
                        new { filterType = "NOTIONAL", minNotional = N(s.MinNotional), applyMinToMarket = true, maxNotional = N(s.MaxNotional), applyMaxToMarket = s.ApplyMaxToMarket, avgPriceMins = 5 },
                    },
                });
            }
        }

        if (symbols.Count < wanted.Length)
        {
            await Error(context, 400, -1121, "Invalid symbol.");
            return;
        }

        await Json(context, new { timezone = "UTC", serverTime = ServerMillis, symbols });
    }

    private async Task Account(HttpContext context)
    {
        object[] balances;
        long uid;
        lock (State.Gate)
        {
            balances = State.Balances.Where(b => b.Value != 0m).Select(b => (object)new { asset = b.Key, free = N(b.Value), locked = "0.00000000" }).ToArray();
            uid = context.Items["uid"] as long? ?? State.AccountUid;
        }

        await Json(context, new { canTrade = true, accountType = "SPOT", balances, uid });
    }

    private async Task PlaceOrder(HttpContext context, Fault? fault)
    {
        var q = context.Request.Query;
        var pair = q["symbol"].ToString();
        var side = q["side"].ToString();
        var clientOrderId = q["newClientOrderId"].ToString();
        var quantity = decimal.Parse(q["quantity"].ToString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        var (status, code, message, order) = Execute(pair, side, clientOrderId, quantity, q["type"].ToString(), fault);
        if (order is null)
        {
            await Error(context, status, code, message);
            return;
        }

        switch (fault?.Kind)
        {
            case FaultKind.ServerErrorAfter:
                await Write(context, fault.Status, "{\"code\":-1007,\"msg\":\"Timeout waiting for response from backend server. Send status unknown; execution status unknown.\"}");
                return;
            case FaultKind.DropAfter:
                context.Abort();
                return;
            case FaultKind.ErrorAfter:
                await Error(context, fault.Status, fault.Code, fault.Message);
                return;
            case FaultKind.TimeoutAfter:
                // The client's timeout runs on the same fake clock: jumping it past the timeout makes the client give up
                // while the order stands executed here.
                Time.Advance(TimeoutJump);
                break;
            default:
                break;
        }

        await Json(context, OrderJson(order, withFills: true));
    }

    private (int Status, int Code, string Message, FakeOrder? Order) Execute(string pair, string side, string clientOrderId, decimal quantity, string type, Fault? fault)
    {
        lock (State.Gate)
        {
            var asset = pair.EndsWith(State.QuoteAsset, StringComparison.Ordinal) ? pair[..^State.QuoteAsset.Length] : string.Empty;
            (int, int, string, FakeOrder?) Refuse(int status, int code, string message)
            {
                State.OrderRequests.Add((clientOrderId, asset, side, quantity, code.ToString(CultureInfo.InvariantCulture)));
                return (status, code, message, null);
            }

            if (!State.Symbols.TryGetValue(asset, out var rules) || !State.Prices.TryGetValue(asset, out var price))
            {
                return Refuse(400, -1121, "Invalid symbol.");
            }

            if (!string.Equals(type, "MARKET", StringComparison.Ordinal) || clientOrderId.Length == 0)
            {
                return Refuse(400, -1102, "Mandatory parameter was not sent, was empty/null, or malformed.");
            }

            if (!ClientOrderIdPattern().IsMatch(clientOrderId))
            {
                return Refuse(400, -1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.");
            }

            // Binance's rule since 2023-03-13 is quantity % stepSize == 0, not (quantity - minQty) % stepSize == 0.
            if (quantity < rules.MinQuantity || quantity > rules.MaxQuantity || (rules.StepSize > 0m && quantity % rules.StepSize != 0m))
            {
                return Refuse(400, -1013, "Filter failure: LOT_SIZE");
            }

            // A MARKET order must pass MARKET_LOT_SIZE as well; a part set to 0 is not checked.
            if (quantity < rules.MarketMinQuantity || (rules.MarketMax > 0m && quantity > rules.MarketMax)
                || (rules.MarketStepSize > 0m && quantity % rules.MarketStepSize != 0m))
            {
                return Refuse(400, -1013, "Filter failure: MARKET_LOT_SIZE");
            }

            // Binance values a MARKET order at its average price; the fake's price is that average.
            if (quantity * price < rules.MinNotional || (rules.ApplyMaxToMarket && rules.MaxNotional > 0m && quantity * price > rules.MaxNotional))
            {
                return Refuse(400, -1013, "Filter failure: NOTIONAL");
            }

            var executed = fault?.Kind is FaultKind.PartialFill or FaultKind.OpenPartial ? FakeState.FloorToStep(quantity * fault.Fraction, rules.StepSize) : quantity;
            var buy = string.Equals(side, "BUY", StringComparison.Ordinal);
            // Two fills when possible: the second half one tick of price impact further, as a thin book would give.
            var first = executed >= 2m * rules.StepSize && rules.StepSize > 0m ? FakeState.FloorToStep(executed / 2m, rules.StepSize) : executed;
            var parts = new List<(decimal Price, decimal Quantity)> { (price, first) };
            if (executed - first > 0m)
            {
                parts.Add((buy ? price * 1.0005m : price * 0.9995m, executed - first));
            }

            var cost = parts.Sum(p => p.Price * p.Quantity);
            if (buy ? cost > State.Balance(State.QuoteAsset) : executed > State.Balance(asset))
            {
                return Refuse(400, -2010, "Account has insufficient balance for requested action.");
            }

            var fills = new List<FakeFill>();
            var unsold = buy ? 0m : executed; // what the order still sells is locked: a commission comes from the free balance
            foreach (var (fillPrice, fillQuantity) in parts.Where(p => p.Quantity > 0m).SelectMany(p => Trades(p, parts.Count, rules.StepSize)))
            {
                var commission = decimal.Round(buy ? fillQuantity * State.FeeRate : fillQuantity * fillPrice * State.FeeRate, 8, MidpointRounding.ToZero);
                var commissionAsset = buy ? asset : State.QuoteAsset;
                var discounted = decimal.Round(fillQuantity * fillPrice * State.FeeRate * 0.75m / 600m, 8, MidpointRounding.ToZero);
                if (State.CommissionAsset is { } feeAsset
                    && State.Balance(feeAsset) - (feeAsset == asset ? unsold : 0m) >= discounted)
                {
                    // BNB discount: the commission leaves the free BNB balance (on a BNB sell, not the BNB the order still
                    // sells); the trade itself is untouched. Without enough free BNB, Binance charges the usual
                    // commission in the asset received.
                    commission = discounted;
                    commissionAsset = feeAsset;
                    Add(feeAsset, -commission);
                    Add(asset, buy ? fillQuantity : -fillQuantity);
                    Add(State.QuoteAsset, buy ? -fillQuantity * fillPrice : fillQuantity * fillPrice);
                }
                else
                {
                    Add(asset, buy ? fillQuantity - commission : -fillQuantity);
                    Add(State.QuoteAsset, buy ? -fillQuantity * fillPrice : (fillQuantity * fillPrice) - commission);
                }

                unsold -= buy ? 0m : fillQuantity;
                fills.Add(new FakeFill(fillPrice, fillQuantity, commission, commissionAsset, ++nextTradeId));
            }

            var status = fault?.Kind == FaultKind.OpenPartial ? (executed > 0m ? "PARTIALLY_FILLED" : "NEW") : executed == quantity ? "FILLED" : "EXPIRED";
            var order = new FakeOrder(++nextOrderId, pair, asset, side, clientOrderId, quantity, executed, cost, status, fills, ServerMillis);
            State.Orders.Add(order);
            State.OrderRequests.Add((clientOrderId, asset, side, quantity, status));
            return (200, 0, string.Empty, order);
        }
    }

    /// <summary>
    /// One price level's quantity as the trades it fills in: one trade, or (with <see cref="FakeState.TradesPerOrder"/>)
    /// the level's share of them, each of a whole number of lot steps, the last taking what is left.
    /// </summary>
    private IEnumerable<(decimal Price, decimal Quantity)> Trades((decimal Price, decimal Quantity) level, int levels, decimal step)
    {
        var count = State.TradesPerOrder is { } trades ? Math.Max(1, trades / levels) : 1;
        var piece = FakeState.FloorToStep(level.Quantity / count, step);
        if (count == 1 || piece <= 0m)
        {
            yield return level;
            yield break;
        }

        for (var i = 1; i < count; i++)
        {
            yield return (level.Price, piece);
        }

        yield return (level.Price, level.Quantity - (piece * (count - 1)));
    }

    private void Add(string asset, decimal delta) => State.Balances[asset] = (State.Balances.TryGetValue(asset, out var value) ? value : 0m) + delta;

    private async Task GetOrder(HttpContext context, string pair, string clientOrderId, Fault? fault)
    {
        FakeOrder? order;
        lock (State.Gate)
        {
            order = State.Orders.LastOrDefault(o => o.Symbol == pair && o.ClientOrderId == clientOrderId);
            if (order is { Status: "PARTIALLY_FILLED" or "NEW" })
            {
                // A market order left open (OpenPartial) runs out of liquidity and expires by the first look-up.
                State.Orders[State.Orders.IndexOf(order)] = order = order with { Status = "EXPIRED" };
            }
        }

        if (fault is { Kind: FaultKind.LateAnswer })
        {
            // The answer is decided now; a request still travelling arrives meanwhile; the answer reaches the client late.
            if (fault.ThenRelease is { } other)
            {
                other.Release.TrySetResult();
                await other.Processed.Task;
            }

            Time.Advance(fault.Latency!.Value);
        }

        if (order is null)
        {
            await Error(context, 400, -2013, "Order does not exist.");
            return;
        }

        await Json(context, OrderJson(order, withFills: false));
    }

    /// <summary>
    /// <c>GET /api/v3/myTrades</c> with <c>symbol</c> and <c>orderId</c>, as Binance documents it: at most <c>limit</c>
    /// trades (default 500, at most 1000), in trade id order; with <c>fromId</c> the first of them with an id at or
    /// above it, else the most recent ones. A lagging replica (<paramref name="lag"/>) knows only the order's first trade.
    /// </summary>
    private async Task MyTrades(HttpContext context, IQueryCollection query, bool lag)
    {
        var pair = query["symbol"].ToString();
        var orderId = long.Parse(query["orderId"].ToString(), CultureInfo.InvariantCulture);
        var limit = query.TryGetValue("limit", out var l) ? Math.Clamp(int.Parse(l.ToString(), CultureInfo.InvariantCulture), 1, 1000) : 500;
        long? fromId = query.TryGetValue("fromId", out var f) ? long.Parse(f.ToString(), CultureInfo.InvariantCulture) : null;
        FakeOrder? order;
        lock (State.Gate)
        {
            order = State.Orders.SingleOrDefault(o => o.Symbol == pair && o.OrderId == orderId);
        }

        var known = order?.Fills.Take(lag ? 1 : int.MaxValue).OrderBy(t => t.TradeId).ToList() ?? [];
        var page = fromId is { } from ? known.Where(t => t.TradeId >= from).Take(limit) : known.TakeLast(limit);
        var trades = page.Select(t => new
        {
            symbol = pair,
            id = t.TradeId,
            orderId,
            price = N(t.Price),
            qty = N(t.Quantity),
            quoteQty = N(t.Price * t.Quantity),
            commission = N(t.Commission),
            commissionAsset = t.CommissionAsset,
            time = order!.TransactTime,
            isBuyer = order.Side == "BUY",
            isMaker = false,
            isBestMatch = true,
        }).ToArray();
        await Json(context, trades);
    }

    private static Dictionary<string, object> OrderJson(FakeOrder order, bool withFills)
    {
        var json = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["symbol"] = order.Symbol,
            ["orderId"] = order.OrderId,
            ["orderListId"] = -1,
            ["clientOrderId"] = order.ClientOrderId,
            ["transactTime"] = order.TransactTime,
            ["price"] = "0.00000000",
            ["origQty"] = N(order.OrigQuantity),
            ["executedQty"] = N(order.ExecutedQuantity),
            ["cummulativeQuoteQty"] = N(order.QuoteQuantity),
            ["status"] = order.Status,
            ["timeInForce"] = "GTC",
            ["type"] = "MARKET",
            ["side"] = order.Side,
        };
        if (withFills)
        {
            json["fills"] = order.Fills.Select(f => new { price = N(f.Price), qty = N(f.Quantity), commission = N(f.Commission), commissionAsset = f.CommissionAsset, tradeId = f.TradeId }).ToArray();
        }

        return json;
    }

    /// <summary>
    /// The client order ids Binance spot accepts: its -1100 answer names this range (binance-spot-api-docs#34, where
    /// a '.' was refused; the reference, §7.1). The wider range with '.', ':' and '/' is the futures API's.
    /// </summary>
    [GeneratedRegex("^[a-zA-Z0-9-_]{1,36}$", RegexOptions.CultureInvariant)]
    private static partial Regex ClientOrderIdPattern();

    /// <summary>Numbers as Binance sends them: strings, at least 8 places, never an exponent.</summary>
    private static string N(decimal value) => value.ToString("0.00000000##########", CultureInfo.InvariantCulture);

    private static Task Json(HttpContext context, object value) => Write(context, 200, JsonSerializer.Serialize(value));

    private static Task Error(HttpContext context, int status, int code, string message) =>
        Write(context, status, JsonSerializer.Serialize(new { code, msg = message }));

    private static async Task Write(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }
}
