using Snr.Kernels;

namespace Snr.Core.Data;

/// <summary>
/// The synthetic two-task regression data of the MMoE paper (Ma et al., KDD 2018, section 3.2),
/// whose task correlation is controlled by p:
/// <code>
/// u1, u2 ∈ ℝᵈ random orthonormal;   w1 = c·u1,   w2 = c·(p·u1 + √(1 − p²)·u2)
/// x ~ N(0, I_d)
/// y_t = w_tᵀx + Σ_{i=1..m} sin(α_i·w_tᵀx + β_i) + ε_t,   ε_t ~ N(0, σ²)
/// </code>
/// The cosine similarity of w1 and w2 is p; the Pearson correlation of the labels grows with p.
/// </summary>
/// <remarks>
/// The paper leaves c, m, α_i and β_i open. The defaults here (<see cref="SyntheticMmoeOptions"/>):
/// c = 1, m = 10, α_i and β_i drawn once per problem seed from N(0, 1) and shared by both tasks
/// (so p = 1 gives two tasks that differ only in their noise), σ² = 0.01 as in the paper, d = 100
/// as in the paper. u1, u2 come from Gram–Schmidt on two standard normal vectors.
/// Everything is drawn from a <see cref="CounterRng"/>: the problem (u1, u2, α, β) from
/// <c>problemSeed</c>, the rows (x, ε) from <c>rowSeed</c>, so train and test sets of the same
/// problem come from one problem seed and two row seeds.
/// </remarks>
public static class SyntheticMmoeData
{
    /// <summary>The task names: <c>task1</c>, <c>task2</c> (both regression).</summary>
    public static readonly IReadOnlyList<string> TaskNames = ["task1", "task2"];

    /// <summary>Generates <paramref name="rows"/> rows of the problem for correlation <paramref name="correlation"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">rows is not positive, or p is outside [−1, 1].</exception>
    public static MultiTaskDataset Generate(int rows, double correlation, ulong problemSeed, ulong rowSeed, SyntheticMmoeOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        if (!(correlation >= -1 && correlation <= 1)) throw new ArgumentOutOfRangeException(nameof(correlation), correlation, "must be in [-1, 1]");
        options ??= new SyntheticMmoeOptions();
        options.Validate();
        int d = options.Dimension, m = options.Sines;
        var problem = new CounterRng(problemSeed);

        // u1, u2: orthonormal by Gram–Schmidt.
        var u1 = new double[d];
        var u2 = new double[d];
        for (int k = 0; k < d; k++)
        {
            u1[k] = problem.Normal(stream: 1, (ulong)k);
            u2[k] = problem.Normal(stream: 2, (ulong)k);
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
            alpha[i] = problem.Normal(stream: 3, (ulong)i);
            beta[i] = problem.Normal(stream: 4, (ulong)i);
        }

        var rowRng = new CounterRng(rowSeed);
        var features = new float[rows * d];
        rowRng.FillNormal(features, stream: 10);
        var y1 = new float[rows];
        var y2 = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> x = features.AsSpan(r * d, d);
            y1[r] = (float)(Label(x, w1, alpha, beta) + options.NoiseStd * rowRng.Normal(stream: 11, (ulong)r));
            y2[r] = (float)(Label(x, w2, alpha, beta) + options.NoiseStd * rowRng.Normal(stream: 12, (ulong)r));
        }
        return new MultiTaskDataset(features, d, TaskNames, [y1, y2]);
    }

    // y = wᵀx + Σ_i sin(α_i·wᵀx + β_i), without the noise
    private static double Label(ReadOnlySpan<float> x, double[] w, double[] alpha, double[] beta)
    {
        double wx = 0;
        for (int k = 0; k < w.Length; k++) wx += w[k] * x[k];
        double y = wx;
        for (int i = 0; i < alpha.Length; i++) y += Math.Sin(alpha[i] * wx + beta[i]);
        return y;
    }

    private static void Normalize(double[] v)
    {
        double norm = 0;
        foreach (double a in v) norm += a * a;
        norm = Math.Sqrt(norm);
        for (int k = 0; k < v.Length; k++) v[k] /= norm;
    }
}

/// <summary>The constants of <see cref="SyntheticMmoeData"/> that the MMoE paper leaves open (see its remarks).</summary>
public sealed record SyntheticMmoeOptions
{
    /// <summary>Input dimension d (the paper uses 100).</summary>
    public int Dimension { get; set; } = 100;

    /// <summary>The scale c of the weight vectors.</summary>
    public double Scale { get; set; } = 1.0;

    /// <summary>The number m of sine terms.</summary>
    public int Sines { get; set; } = 10;

    /// <summary>σ, the label noise standard deviation (the paper's variance 0.01).</summary>
    public double NoiseStd { get; set; } = 0.1;

    /// <summary>Throws when a constant is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">d &lt; 2, c ≤ 0, m &lt; 0 or σ &lt; 0.</exception>
    public void Validate()
    {
        if (Dimension < 2) throw new ArgumentOutOfRangeException(nameof(Dimension), Dimension, "two orthogonal directions need d ≥ 2");
        if (!(Scale > 0)) throw new ArgumentOutOfRangeException(nameof(Scale), Scale, "must be positive");
        if (Sines < 0) throw new ArgumentOutOfRangeException(nameof(Sines), Sines, "must be non-negative");
        if (!(NoiseStd >= 0)) throw new ArgumentOutOfRangeException(nameof(NoiseStd), NoiseStd, "must be non-negative");
    }
}
