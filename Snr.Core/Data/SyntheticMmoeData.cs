using Snr.Kernels;

namespace Snr.Core.Data;

/// <summary>
/// The synthetic two-task regression data of the MMoE paper (Ma et al., KDD 2018, section 3.2),
/// whose task correlation is controlled by p:
/// <code>
/// u1, u2 ∈ ℝᵈ orthogonal unit vectors;   w1 = c·u1,   w2 = c·(p·u1 + √(1 − p²)·u2)
/// x ~ N(0, I_d)
/// y_t = w_tᵀx + Σ_{i=1..m} sin(α_i·w_tᵀx + β_i) + ε_t,   ε_t ~ N(0, 0.01)
/// </code>
/// with α_i, β_i ~ N(0, 0.01), m = 10, d = 100 as in the paper. The cosine similarity of w1 and w2 is p;
/// the Pearson correlation of the labels grows with p.
/// </summary>
/// <remarks>
/// The paper leaves c open; the default is c = 1. The paper's N(0, 0.01) is read as a variance for ε, α and β
/// alike (σ = 0.1). α_i and β_i are drawn once per problem and shared by both tasks, so p = 1 gives two tasks that
/// differ only in their noise. u1, u2 come from Gram–Schmidt on two standard normal vectors.
/// Everything is drawn from a <see cref="CounterRng"/>: the problem (u1, u2, α, β) from
/// <c>problemSeed</c>, the rows (x, ε) from <c>rowSeed</c>, so train and test sets of the same
/// problem come from one problem seed and two row seeds.
/// </remarks>
public static class SyntheticMmoeData
{
    /// <summary>The task names: <c>task1</c>, <c>task2</c> (both regression).</summary>
    public static readonly IReadOnlyList<string> TaskNames = ["task1", "task2"];

    /// <summary>Generates <paramref name="rows"/> rows of the problem for correlation <paramref name="correlation"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">rows is not positive, p is outside [−1, 1], or an option is out of range.</exception>
    public static MultiTaskDataset Generate(int rows, double correlation, ulong problemSeed, ulong rowSeed, SyntheticMmoeOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        options ??= new SyntheticMmoeOptions();
        var problem = Problem(correlation, problemSeed, options);
        int d = options.Dimension;
        var rowRng = new CounterRng(rowSeed);
        var features = new float[rows * d];
        rowRng.FillNormal(features, stream: 10);
        var y1 = new float[rows];
        var y2 = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> x = features.AsSpan(r * d, d);
            y1[r] = (float)(problem.Label(x, problem.W1) + options.NoiseStd * rowRng.Normal(stream: 11, (ulong)r));
            y2[r] = (float)(problem.Label(x, problem.W2) + options.NoiseStd * rowRng.Normal(stream: 12, (ulong)r));
        }
        return new MultiTaskDataset(features, d, TaskNames, [y1, y2]);
    }

    /// <summary>The problem (u1, u2, w1, w2, α, β) that <see cref="Generate"/> draws its labels from.</summary>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [−1, 1], or an option is out of range.</exception>
    public static SyntheticMmoeProblem Problem(double correlation, ulong problemSeed, SyntheticMmoeOptions? options = null)
    {
        if (!(correlation >= -1 && correlation <= 1)) throw new ArgumentOutOfRangeException(nameof(correlation), correlation, "must be in [-1, 1]");
        options ??= new SyntheticMmoeOptions();
        options.Validate();
        int d = options.Dimension, m = options.Sines;
        var rng = new CounterRng(problemSeed);

        // u1, u2: orthogonal unit vectors by Gram–Schmidt.
        var u1 = new double[d];
        var u2 = new double[d];
        for (int k = 0; k < d; k++)
        {
            u1[k] = rng.Normal(stream: 1, (ulong)k);
            u2[k] = rng.Normal(stream: 2, (ulong)k);
        }
        Normalize(u1);
        double dot = 0;
        for (int k = 0; k < d; k++) dot += u1[k] * u2[k];
        for (int k = 0; k < d; k++) u2[k] -= dot * u1[k];
        Normalize(u2);

        double c = options.Scale, q = Math.Sqrt(Math.Max(0, 1 - correlation * correlation));
        var w1 = new double[d];
        var w2 = new double[d];
        for (int k = 0; k < d; k++)
        {
            w1[k] = c * u1[k];
            w2[k] = c * (correlation * u1[k] + q * u2[k]);
        }
        var alpha = new double[m];
        var beta = new double[m];
        for (int i = 0; i < m; i++)
        {
            alpha[i] = options.SineStd * rng.Normal(stream: 3, (ulong)i);
            beta[i] = options.SineStd * rng.Normal(stream: 4, (ulong)i);
        }
        return new SyntheticMmoeProblem(u1, u2, w1, w2, alpha, beta);
    }

    private static void Normalize(double[] v)
    {
        double norm = 0;
        foreach (double a in v) norm += a * a;
        norm = Math.Sqrt(norm);
        for (int k = 0; k < v.Length; k++) v[k] /= norm;
    }
}

/// <summary>One problem of <see cref="SyntheticMmoeData"/>: the directions, the task weights and the sinusoids' constants.</summary>
/// <param name="U1">The first unit vector.</param>
/// <param name="U2">The second unit vector, orthogonal to <paramref name="U1"/>.</param>
/// <param name="W1">Task 1's weights, c·u1.</param>
/// <param name="W2">Task 2's weights, c·(p·u1 + √(1 − p²)·u2).</param>
/// <param name="Alpha">α_i, the sinusoids' frequencies (shared by both tasks).</param>
/// <param name="Beta">β_i, the sinusoids' phases (shared by both tasks).</param>
public sealed record SyntheticMmoeProblem(double[] U1, double[] U2, double[] W1, double[] W2, double[] Alpha, double[] Beta)
{
    /// <summary>The noise-free label wᵀx + Σ_i sin(α_i·wᵀx + β_i) of row <paramref name="x"/> for task weights <paramref name="w"/>.</summary>
    public double Label(ReadOnlySpan<float> x, double[] w)
    {
        double wx = 0;
        for (int k = 0; k < w.Length; k++) wx += w[k] * x[k];
        double y = wx;
        for (int i = 0; i < Alpha.Length; i++) y += Math.Sin(Alpha[i] * wx + Beta[i]);
        return y;
    }
}

/// <summary>The constants of <see cref="SyntheticMmoeData"/> (defaults: the MMoE paper's, c = 1 where it leaves c open).</summary>
public sealed record SyntheticMmoeOptions
{
    /// <summary>Input dimension d (the paper uses 100).</summary>
    public int Dimension { get; set; } = 100;

    /// <summary>The scale c of the weight vectors.</summary>
    public double Scale { get; set; } = 1.0;

    /// <summary>The number m of sine terms (the paper uses 10).</summary>
    public int Sines { get; set; } = 10;

    /// <summary>The standard deviation of α_i and β_i (the paper's N(0, 0.01): 0.1).</summary>
    public double SineStd { get; set; } = 0.1;

    /// <summary>σ, the label noise standard deviation (the paper's variance 0.01).</summary>
    public double NoiseStd { get; set; } = 0.1;

    /// <summary>Throws when a constant is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">d &lt; 2, c ≤ 0, m &lt; 0, or a standard deviation &lt; 0.</exception>
    public void Validate()
    {
        if (Dimension < 2) throw new ArgumentOutOfRangeException(nameof(Dimension), Dimension, "two orthogonal directions need d ≥ 2");
        if (!(Scale > 0)) throw new ArgumentOutOfRangeException(nameof(Scale), Scale, "must be positive");
        if (Sines < 0) throw new ArgumentOutOfRangeException(nameof(Sines), Sines, "must be non-negative");
        if (!(SineStd >= 0)) throw new ArgumentOutOfRangeException(nameof(SineStd), SineStd, "must be non-negative");
        if (!(NoiseStd >= 0)) throw new ArgumentOutOfRangeException(nameof(NoiseStd), NoiseStd, "must be non-negative");
    }
}
