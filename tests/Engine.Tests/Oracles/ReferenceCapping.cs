namespace CryptoIndex.Engine.Tests.Oracles;

/// <summary>
/// Slow, exact references for capped weights, written independently of the Engine's sweep:
/// the brute-force λ definition (every breakpoint evaluated), the iterative "redistribute the excess pro rata"
/// loop real indices describe (caps only), and the published single-pass form (caps only).
/// </summary>
public static class ReferenceCapping
{
    /// <summary>Exact solution of Σ clamp(λ·b_i, floor, cap_i) = 1 by evaluating the sum at every breakpoint: O(n²).</summary>
    public static Rational[] LambdaClamp(IReadOnlyList<Rational> bases, IReadOnlyList<Rational> caps, Rational floor)
    {
        var breakpoints = new List<Rational> { Rational.Zero };
        for (var i = 0; i < bases.Count; i++)
        {
            breakpoints.Add(floor / bases[i]);
            breakpoints.Add(caps[i] / bases[i]);
        }

        breakpoints.Sort();
        var previous = Rational.Zero;
        foreach (var lambda in breakpoints)
        {
            if (Sum(bases, caps, floor, lambda) >= Rational.One)
            {
                // The sum is linear between the previous breakpoint and this one: interpolate exactly.
                var low = Sum(bases, caps, floor, previous);
                var high = Sum(bases, caps, floor, lambda);
                var solution = high == low ? lambda : previous + ((lambda - previous) * (Rational.One - low) / (high - low));
                return Weights(bases, caps, floor, solution);
            }

            previous = lambda;
        }

        throw new InvalidOperationException("infeasible: caps sum below 1");
    }

    /// <summary>Iterative capping (DPI/MVIS wording), caps only: cap what is over, spread the rest pro rata, repeat.</summary>
    public static Rational[] Iterative(IReadOnlyList<Rational> bases, Rational cap)
    {
        var n = bases.Count;
        var capped = new bool[n];
        var weights = new Rational[n];
        while (true)
        {
            var cappedCount = capped.Count(c => c);
            var remaining = Rational.One - (cap * Rational.Of(cappedCount, 1));
            var freeBase = Rational.Zero;
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
                weights[i] = capped[i] ? cap : remaining * bases[i] / freeBase;
            }

            for (var i = 0; i < n; i++)
            {
                if (!capped[i] && weights[i] > cap)
                {
                    capped[i] = true;
                    anyOver = true;
                }
            }

            if (!anyOver)
            {
                return weights;
            }
        }
    }

    /// <summary>The single-pass form (quant.stackexchange 39818), caps only: visit by base descending.</summary>
    public static Rational[] SinglePass(IReadOnlyList<Rational> bases, Rational cap)
    {
        var order = Enumerable.Range(0, bases.Count).OrderByDescending(i => bases[i]).ToList();
        var weights = new Rational[bases.Count];
        var weightLeft = Rational.One;
        var baseLeft = bases.Aggregate(Rational.Zero, (sum, b) => sum + b);
        foreach (var i in order)
        {
            weights[i] = Rational.Min(cap, bases[i] * weightLeft / baseLeft);
            weightLeft -= weights[i];
            baseLeft -= bases[i];
        }

        return weights;
    }

    /// <summary>
    /// Largest-remainder rounding of exact weights to <paramref name="places"/> decimals, with the Engine's tie-breaks
    /// (larger base, then the symbol that sorts first), done in exact rationals.
    /// </summary>
    public static decimal[] RoundLargestRemainder(IReadOnlyList<Rational> weights, IReadOnlyList<Rational> bases, IReadOnlyList<string> symbols, int places)
    {
        var whole = System.Numerics.BigInteger.Pow(10, places);
        var scale = new Rational(whole, 1);
        var units = weights.Select(w => (w * scale).Numerator / (w * scale).Denominator).ToArray();
        var remainders = weights.Select((w, i) => (w * scale) - new Rational(units[i], 1)).ToArray();
        var missing = (int)(whole - units.Aggregate(System.Numerics.BigInteger.Zero, (a, b) => a + b));
        var winners = Enumerable.Range(0, weights.Count)
            .Where(i => remainders[i] > Rational.Zero)
            .OrderByDescending(i => remainders[i]).ThenByDescending(i => bases[i]).ThenBy(i => symbols[i], StringComparer.Ordinal)
            .Take(missing);
        foreach (var i in winners)
        {
            units[i] += 1;
        }

        // Exact: a weight has at most `places` ≤ 20 decimal places and 21 digits, within decimal's 28.
        return units.Select(u => (decimal)u / DecimalMath.PowerOfTen(places)).ToArray();
    }

    private static Rational Sum(IReadOnlyList<Rational> bases, IReadOnlyList<Rational> caps, Rational floor, Rational lambda) =>
        Weights(bases, caps, floor, lambda).Aggregate(Rational.Zero, (sum, w) => sum + w);

    private static Rational[] Weights(IReadOnlyList<Rational> bases, IReadOnlyList<Rational> caps, Rational floor, Rational lambda) =>
        bases.Select((b, i) => Rational.Min(caps[i], Rational.Max(floor, lambda * b))).ToArray();
}
