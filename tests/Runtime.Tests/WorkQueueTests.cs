using CryptoIndex.Operator.Runtime.Queue;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CryptoIndex.Operator.Runtime.Tests;

public sealed class WorkQueueTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_key_is_stored_once()
    {
        using var q = new WorkQueue<string>(new FakeTimeProvider());
        q.Add("a");
        q.Add("a");
        q.Add("b");
        q.Add("a");
        Assert.Equal(2, q.Count);
        Assert.Equal("a", (await q.GetAsync()).Item);
        Assert.Equal("b", (await q.GetAsync()).Item);
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task A_key_being_processed_is_requeued_only_after_done()
    {
        using var q = new WorkQueue<string>(new FakeTimeProvider());
        q.Add("a");
        var (item, _) = await q.GetAsync();
        q.Add("a");
        Assert.Equal(0, q.Count);
        var second = q.GetAsync().AsTask();
        await Task.Yield();
        Assert.False(second.IsCompleted);
        q.Done(item);
        Assert.Equal("a", (await second.WaitAsync(Guard)).Item);
        Assert.True(q.IsProcessing("a"));
    }

    [Fact]
    public void A_delay_beyond_what_a_timer_takes_comes_back_at_the_longest_one()
    {
        using var q = new WorkQueue<string>(TimeProvider.System); // System.Threading.Timer refuses more than ~49.7 days

        q.AddAfter("a", TimeSpan.FromDays(90));

        Assert.Equal(0, q.Count);
        var time = new FakeTimeProvider();
        using var fake = new WorkQueue<string>(time);
        fake.AddAfter("a", TimeSpan.FromDays(90));
        time.Advance(TimerLimits.MaxDelay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, fake.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, fake.Count);
    }

    [Fact]
    public async Task Rate_limited_add_appears_exactly_after_the_backoff()
    {
        var time = new FakeTimeProvider();
        using var q = new WorkQueue<string>(time);
        q.AddRateLimited("a");
        q.AddRateLimited("a"); // second failure: 10 ms, but the earlier 5 ms wins
        time.Advance(TimeSpan.FromTicks(TimeSpan.FromMilliseconds(5).Ticks - 1));
        Assert.Equal(0, q.Count);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, q.Count);
        Assert.Equal(2, q.NumRequeues("a"));
        var (item, _) = await q.GetAsync();
        q.Done(item);
        q.AddRateLimited("a");
        time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.Equal(0, q.Count);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, q.Count);
        q.Forget("a");
        Assert.Equal(0, q.NumRequeues("a"));
    }

    [Fact]
    public void Add_after_keeps_the_earliest_time()
    {
        var time = new FakeTimeProvider();
        using var q = new WorkQueue<string>(time);
        q.AddAfter("a", TimeSpan.FromSeconds(10));
        q.AddAfter("a", TimeSpan.FromSeconds(3));
        q.AddAfter("a", TimeSpan.FromSeconds(7));
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, q.Count);
        Assert.Equal(0, q.DelayedCount);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public async Task Shutdown_releases_waiting_workers()
    {
        using var q = new WorkQueue<string>(new FakeTimeProvider());
        var get = q.GetAsync().AsTask();
        q.ShutDown();
        Assert.False((await get.WaitAsync(Guard)).Ok);
        q.Add("a");
        Assert.False((await q.GetAsync()).Ok);
    }

    [Fact]
    public async Task Cancelled_getter_does_not_swallow_a_key()
    {
        using var q = new WorkQueue<string>(new FakeTimeProvider());
        using var cts = new CancellationTokenSource();
        var get = q.GetAsync(cts.Token).AsTask();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => get);
        q.Add("a");
        Assert.Equal("a", (await q.GetAsync().AsTask().WaitAsync(Guard)).Item);
    }

    [Fact]
    public async Task Drain_waits_for_processing_keys()
    {
        using var q = new WorkQueue<string>(new FakeTimeProvider());
        q.Add("a");
        var (item, _) = await q.GetAsync();
        var drained = q.WaitForProcessingToDrainAsync();
        Assert.False(drained.IsCompleted);
        q.Done(item);
        await drained.WaitAsync(Guard);
    }

    [Fact]
    public void No_key_is_ever_processed_by_two_workers_at_once()
    {
        // Many workers, random adds (immediate, delayed, rate limited) from several threads; every key processed
        // must be exclusive and every key added must eventually be processed after its last add.
        Gen.Select(Gen.Int[1, 16], Gen.Int[0, 9].Array[20, 200]).Sample((workers, adds) =>
        {
            RunNoConcurrencyScenario(workers, adds).GetAwaiter().GetResult();
        }, iter: 40, threads: 1);
    }

    private static async Task RunNoConcurrencyScenario(int workers, int[] adds)
    {
        var time = new FakeTimeProvider();
        using var q = new WorkQueue<int>(time);
        var active = new int[10];
        var violations = 0;
        var lastAdd = new long[10];
        var lastProcessedStart = new long[10];
        long seq = 0;
        using var stop = new CancellationTokenSource();
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (true)
            {
                var (key, ok) = await q.GetAsync(CancellationToken.None);
                if (!ok)
                {
                    return;
                }

                if (Interlocked.Increment(ref active[key]) != 1)
                {
                    Interlocked.Increment(ref violations);
                }

                Interlocked.Exchange(ref lastProcessedStart[key], Interlocked.Increment(ref seq));
                await Task.Yield();
                Interlocked.Decrement(ref active[key]);
                q.Done(key);
            }
        })).ToArray();

        await Parallel.ForEachAsync(adds.Chunk(10), async (chunk, _) =>
        {
            foreach (var k in chunk)
            {
                Interlocked.Exchange(ref lastAdd[k], Interlocked.Increment(ref seq));
                q.Add(k);
                await Task.Yield();
            }
        });

        // Wait until every key added was taken by a worker after its last add, then drain.
        var deadline = DateTime.UtcNow + Guard;
        while (Enumerable.Range(0, 10).Any(k => Volatile.Read(ref lastAdd[k]) > Volatile.Read(ref lastProcessedStart[k]))
               || q.Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "keys were lost");
            await Task.Delay(1);
        }

        await q.WaitForProcessingToDrainAsync().WaitAsync(Guard);
        q.ShutDown();
        await Task.WhenAll(tasks).WaitAsync(Guard);
        Assert.Equal(0, violations);
    }
}
