using CryptoIndex.Operator.Runtime.Queue;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

public sealed class RateLimiterTests
{
    [Fact]
    public void Item_exponential_schedule_equals_client_go()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        // client-go: 5ms * 2^n, capped at 1000s (2^18 * 5ms = 1310.72s is the first over the cap).
        var expectedMs = new double[]
        {
            5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240, 20480, 40960, 81920, 163840, 327680, 655360,
            1_000_000, 1_000_000,
        };
        foreach (var ms in expectedMs)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(ms), limiter.When("a"));
        }

        Assert.Equal(20, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("b"));
        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
    }

    [Fact]
    public void Bucket_gives_burst_then_one_token_per_tenth_of_a_second()
    {
        var time = new FakeTimeProvider();
        var limiter = new BucketRateLimiter<int>(10, 100, time);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.When(i));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When(100));
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.When(101));

        // One second refills 10 tokens; 2 are owed, so 8 are free and the 9th waits 100 ms.
        time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.When(i));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When(9));

        // One token was owed; 150 ms bring 1.5 back, so the next reservation owes half a token (50 ms).
        time.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal(TimeSpan.FromMilliseconds(50), limiter.When(1));
        Assert.Equal(TimeSpan.FromMilliseconds(150), limiter.When(2));

        // The bucket never holds more than the burst.
        time.Advance(TimeSpan.FromHours(1));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.When(i));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When(0));
    }

    [Fact]
    public void Default_controller_limiter_is_the_max_of_both()
    {
        var time = new FakeTimeProvider();
        var limiter = RateLimiters.DefaultController<string>(time);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        // The bucket is empty: the 101st distinct key waits 100 ms, more than its 5 ms item backoff.
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("x"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.When("y"));

        // Much later, per-item backoff dominates again: "x" failed once, so 10 ms.
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("x"));
        Assert.Equal(2, limiter.NumRequeues("x"));
        limiter.Forget("x");
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("x"));
    }

    [Fact]
    public void Exponential_schedule_matches_the_go_formula_for_any_base_and_cap()
    {
        Gen.Select(Gen.Int[1, 1000], Gen.Int[1, 100_000], Gen.Int[1, 40]).Sample((baseMs, maxMs, n) =>
        {
            var limiter = new ItemExponentialFailureRateLimiter<int>(TimeSpan.FromMilliseconds(baseMs), TimeSpan.FromMilliseconds(maxMs));
            for (var i = 0; i < n; i++)
            {
                var expected = Math.Min(baseMs * Math.Pow(2, i), maxMs);
                Assert.Equal(expected, limiter.When(0).TotalMilliseconds, 6);
            }
        }, iter: 200);
    }
}
