using Snr.Core.Data;

namespace Snr.Core.Tabular;

/// <summary>A seeded split of row indices into training, validation and test sets.</summary>
public sealed record DataSplit(int[] Train, int[] Validation, int[] Test)
{
    /// <summary>
    /// Shuffles 0 … rows − 1 by a seeded Fisher–Yates shuffle on the counter-based generator
    /// (the same seed gives the same split on every machine), then cuts it into
    /// ⌊train·rows⌋, ⌊validation·rows⌋ and the rest.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fractions are negative or add up to more than 1.</exception>
    public static DataSplit Shuffled(int rows, ulong seed, double train = 0.7, double validation = 0.1)
    {
        if (train < 0 || validation < 0 || train + validation > 1)
            throw new ArgumentOutOfRangeException(nameof(train), $"Split fractions train {train} and validation {validation} must be non-negative and add up to at most 1.");
        var order = new int[rows];
        Shuffle.Permutation(order, seed, stream: 0x5B1u);
        int trainCount = (int)(train * rows), validationCount = (int)(validation * rows);
        return new DataSplit(order[..trainCount], order[trainCount..(trainCount + validationCount)], order[(trainCount + validationCount)..]);
    }
}
