namespace Snr.Core.Tabular;

/// <summary>
/// The count, mean and population variance of a stream of numbers by Welford's update, which
/// stays accurate where the textbook Σx² − n·mean² loses digits (large values, small spread).
/// </summary>
/// <remarks>The same values added in the same order give the same result to the bit, however they are read (whole file or chunks).</remarks>
public struct RunningMoments
{
    private double _mean, _m2;

    /// <summary>How many values were added.</summary>
    public long Count { get; private set; }

    /// <summary>The mean of the values (0 when there are none).</summary>
    public readonly double Mean => _mean;

    /// <summary>The population variance Σ(x − mean)² / n (0 when there are none).</summary>
    public readonly double Variance => Count == 0 ? 0 : _m2 / Count;

    /// <summary>Adds one value.</summary>
    public void Add(double value)
    {
        Count++;
        double delta = value - _mean;
        _mean += delta / Count;
        _m2 += delta * (value - _mean);
    }

    /// <summary>
    /// The standardisation of a numeric input: the mean and the standard deviation, or a
    /// deviation of 1 for a constant column (so that it encodes as 0).
    /// </summary>
    public readonly NumericColumnStats ToStats(string name)
    {
        double std = Math.Sqrt(Variance);
        return new NumericColumnStats(name, (float)Mean, std > 1e-12 ? (float)std : 1f);
    }
}
