using Snr.Kernels;

namespace Snr.Core.Tabular;

/// <summary>
/// A seeded split of rows by their content rather than their position, for data read as a stream
/// (no row index, no count known in advance): a row trains, validates or tests according to
/// where a seeded hash of its content falls in [0, 1).
/// </summary>
/// <remarks>
/// Each row is assigned independently, so the parts hold about <see cref="Train"/>,
/// <see cref="Validation"/> and the rest of the rows (binomially, not exactly ⌊fraction·n⌋ as
/// <see cref="DataSplit.Shuffled"/> gives). Rows with equal content (see
/// <see cref="TrainingDataIdentity"/>) always land in the same part, so a duplicated row cannot be
/// trained on and tested on.
/// </remarks>
/// <param name="Seed">The split's seed.</param>
/// <param name="Train">The training fraction.</param>
/// <param name="Validation">The validation fraction; the rest tests.</param>
public sealed record HashSplit(ulong Seed, double Train, double Validation)
{
    private const ulong Stream = 0x4A5B_5917;

    /// <summary>The part of a row whose content hash (see <see cref="TrainingDataIdentity"/>) is <paramref name="rowHash"/>.</summary>
    public RowRole RoleOf(ulong rowHash)
    {
        double u = new CounterRng(Seed).NextBits(Stream, rowHash) / 4294967296.0;
        return u < Train ? RowRole.Train : u < Train + Validation ? RowRole.Validation : RowRole.Test;
    }

    /// <summary>Checks the fractions.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A fraction is negative, the training fraction is 0, or they add up to more than 1.</exception>
    public void Validate()
    {
        if (!(Train > 0 && Validation >= 0 && Train + Validation <= 1))
            throw new ArgumentOutOfRangeException(nameof(Train), $"Split fractions train {Train} and validation {Validation} must be non-negative, train positive, and add up to at most 1.");
    }
}
