using System.Text.Json.Nodes;
using CryptoIndex.LocalKube.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Tests.Testing;

/// <summary>Drives an operator that runs on a fake clock: advances it step by step until a fund's status is as expected.</summary>
internal static class FakeClockPump
{
    public static string? ConditionReason(JsonNode? status, string type = "Ready") =>
        (string?)Condition(status, type)?["reason"];

    public static JsonNode? Condition(JsonNode? status, string type) =>
        status?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c?["type"] == type);

    /// <summary>
    /// Reads the fund with kubectl until <paramref name="done"/> holds, advancing <paramref name="clock"/> by
    /// <paramref name="advance"/> between reads. <paramref name="alsoDone"/> ends the wait too (a fake exchange's signal).
    /// </summary>
    public static async Task<JsonNode> UntilAsync(
        Kubectl kubectl, FakeTimeProvider clock, string fund, Func<JsonNode?, bool> done, TimeSpan advance, Func<bool>? alsoDone = null)
    {
        JsonNode? status = null;
        await UntilAsync(
            clock,
            async () =>
            {
                status = JsonNode.Parse(await kubectl.OkAsync("get", "ifund", fund, "-o", "json"))!["status"];
                return done(status) || alsoDone?.Invoke() == true;
            },
            advance,
            // The last status says where it got stuck (execution records and all).
            () => Task.FromResult($"fund {fund}'s status never reached the expected state; it is now:\n{status?.ToJsonString()}"));
        return status ?? new JsonObject();
    }

    /// <summary>
    /// Checks <paramref name="done"/> until it holds, advancing <paramref name="clock"/> by <paramref name="advance"/>
    /// between checks (300 at most); then fails with what <paramref name="describe"/> says.
    /// </summary>
    public static async Task UntilAsync(FakeTimeProvider clock, Func<Task<bool>> done, TimeSpan advance, Func<Task<string>> describe)
    {
        for (var step = 0; step < 300; step++)
        {
            if (await done())
            {
                return;
            }

            clock.Advance(advance);
            await Task.Delay(20); // lets the operator's HTTP work run; the clock, not this delay, drives its schedule
        }

        throw new Xunit.Sdk.XunitException(await describe());
    }
}
