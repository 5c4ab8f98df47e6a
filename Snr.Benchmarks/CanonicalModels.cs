using Snr.Core.Models;
using Snr.Core.Serving;
using Snr.Kernels;

namespace Snr.Benchmarks;

/// <summary>The canonical models of BENCHMARKS.md (W3/W5 SNR-Trans, W4 MMoE), shared by the training and serving suites.</summary>
internal static class CanonicalModels
{
    public const int Features = 256;
    private static readonly TaskConfig[] Tasks = [new("task1"), new("task2")];

    /// <summary>
    /// W3/W5 SNR-Trans: level 0 = 4 × Linear(256→128)+ReLU; routing 4×128 → 4×128, ReLU; routing 4×128 → 2×64,
    /// ReLU; towers Linear(64→1). A fraction <paramref name="zeroFraction"/> of each routing level's gates is fixed
    /// at zero (in row i the kept inputs are i, i+1, … cyclically, so every output block keeps a live input); the
    /// others are sampled with log_alpha = 5 in training (almost surely non-zero) and are 1 when serving.
    /// </summary>
    public static SnrModel SnrTrans(double zeroFraction)
    {
        var snr = (SnrModel)ModelFactory.Create(new SnrConfig
        {
            NumericInputs = Features, Tasks = Tasks, Variant = SnrVariant.Trans, Level0Blocks = 4, Level0Hidden = [128],
            Routing = [new RoutingLevelConfig(4, 128), new RoutingLevelConfig(2, 64)], InitialLogAlpha = 5f, Seed = 1,
        });
        if (zeroFraction > 0)
            foreach (var level in snr.Levels) level.Gate.Force(ZeroPattern(level.OutputBlocks, level.InputBlocks, zeroFraction));
        return snr;
    }

    /// <summary>
    /// W5's setup, shared by the serving suites: the canonical SNR-Trans with the zero gates <paramref name="gates"/>
    /// names (see <see cref="ZeroFraction"/>), compiled for <paramref name="threads"/> threads, and
    /// <paramref name="batch"/> rows of N(0, 1) features.
    /// </summary>
    public static (SnrModel Model, Predictor Predictor, float[] Features) Served(string gates, int batch, int threads)
    {
        var model = SnrTrans(ZeroFraction(gates));
        var predictor = Predictor.Compile(model, options: new PredictorOptions(MaxThreads: threads));
        var features = new float[batch * Features];
        new CounterRng(11).FillNormal(features, stream: 0);
        return (model, predictor, features);
    }

    /// <summary>W4 MMoE: 8 experts Linear(256→128)+ReLU → Linear(128→128)+ReLU, a softmax gate per task, towers Linear(128→64)+ReLU → Linear(64→1).</summary>
    public static MmoeModel Mmoe() => (MmoeModel)ModelFactory.Create(new MmoeConfig
    {
        NumericInputs = Features, Tasks = Tasks, Experts = 8, ExpertHidden = [128, 128], TowerHidden = [64], Seed = 1,
    });

    /// <summary>The zero fraction a workload name asks for: <c>…_50</c> → 0.5, <c>…_75</c> → 0.75, else 0.</summary>
    public static double ZeroFraction(string workload) =>
        workload.EndsWith("_50", StringComparison.Ordinal) ? 0.5 : workload.EndsWith("_75", StringComparison.Ordinal) ? 0.75 : 0.0;

    // NaN = learned; 0 = fixed at zero. Row i keeps round(kIn·(1 − f)) inputs starting at column i (cyclically).
    private static float[] ZeroPattern(int kOut, int kIn, double zeroFraction)
    {
        var values = new float[kOut * kIn];
        int keep = Math.Max(1, (int)Math.Round(kIn * (1 - zeroFraction)));
        for (int i = 0; i < kOut; i++)
            for (int j = 0; j < kIn; j++)
                values[i * kIn + j] = (j - i + kIn) % kIn < keep ? float.NaN : 0f;
        return values;
    }
}
