namespace CryptoIndex.Engine.Benchmarks;

/// <summary>
/// The straightforward capping loop indices describe ("cap what is over the cap, spread the excess pro rata over
/// the rest, repeat"), in decimal: the baseline the Engine's sweep is measured against. Caps only, no floor.
/// </summary>
internal static class IterativeCappingBaseline
{
    public static decimal[] Solve(decimal[] bases, decimal cap)
    {
        var n = bases.Length;
        var capped = new bool[n];
        var weights = new decimal[n];
        var cappedCount = 0;
        while (true)
        {
            var remaining = 1m - (cap * cappedCount);
            var freeBase = 0m;
            for (var i = 0; i < n; i++)
            {
                if (!capped[i])
                {
                    freeBase += bases[i];
                }
            }

            var anyOver = false;
            for (var i = 0; i < n; i++)
            {
                if (capped[i])
                {
                    weights[i] = cap;
                    continue;
                }

                weights[i] = remaining * bases[i] / freeBase;
                if (weights[i] > cap)
                {
                    capped[i] = true;
                    cappedCount++;
                    anyOver = true;
                }
            }

            if (!anyOver)
            {
                return weights;
            }
        }
    }
}
