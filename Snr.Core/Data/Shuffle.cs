using Snr.Kernels;

namespace Snr.Core.Data;

/// <summary>Seeded permutations from the counter-based generator: the same (seed, stream) always gives the same order.</summary>
internal static class Shuffle
{
    /// <summary>
    /// Fills <paramref name="order"/> with a permutation of 0 … n−1 by Fisher–Yates, drawing
    /// position i's partner from 32-bit word i of <paramref name="stream"/> of a
    /// <see cref="CounterRng"/> for <paramref name="seed"/> (multiply-shift reduction, whose bias
    /// of at most n/2³² is irrelevant here). Allocates nothing.
    /// </summary>
    public static void Permutation(Span<int> order, ulong seed, ulong stream)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var rng = new CounterRng(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)(((ulong)rng.NextBits(stream, (ulong)i) * (ulong)(i + 1)) >> 32);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }
}
