namespace Snr.Core.Modules;

/// <summary>
/// How <see cref="Module.Initialize"/> fills a parameter: uniformly on [<see cref="Low"/>, <see cref="High"/>),
/// or with the constant <see cref="Low"/> when both ends are equal.
/// </summary>
/// <param name="Low">The lower end (or the constant).</param>
/// <param name="High">The upper end.</param>
public readonly record struct ParameterInit(float Low, float High)
{
    /// <summary>
    /// U(−1/√fanIn, 1/√fanIn): PyTorch's default for a Linear layer's weight and bias
    /// (kaiming_uniform with a = √5, which works out to exactly this bound).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fanIn"/> is not positive.</exception>
    public static ParameterInit KaimingUniform(int fanIn)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fanIn);
        float bound = 1f / MathF.Sqrt(fanIn);
        return new(-bound, bound);
    }

    /// <summary>Every element equals <paramref name="value"/>.</summary>
    public static ParameterInit Constant(float value) => new(value, value);
}
