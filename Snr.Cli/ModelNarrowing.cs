namespace Snr.Cli;

/// <summary>Narrows (or widens) a baseline model so that it serves a row in a given number of FLOPs.</summary>
internal static class ModelNarrowing
{
    /// <summary>
    /// The configuration with its shared widths (Shared-Bottom's bottom, MMoE's experts, single-task's
    /// networks; towers and embeddings untouched) scaled by the factor whose model's serving FLOPs per
    /// row come closest to <paramref name="targetFlops"/> (bisection over the factor).
    /// </summary>
    /// <exception cref="ArgumentException">A model kind without shared widths to scale.</exception>
    public static ModelConfig ToFlops(ModelConfig config, double targetFlops)
    {
        double low = 0.01, high = 4;
        ModelConfig best = config;
        double bestGap = double.MaxValue;
        for (int iteration = 0; iteration < 40; iteration++)
        {
            double scale = Math.Sqrt(low * high);
            var candidate = Scaled(config, scale);
            using var predictor = Snr.Core.Serving.Predictor.Compile(ModelFactory.Create(candidate));
            double flops = predictor.Summary.FlopsPerRow;
            if (Math.Abs(flops - targetFlops) < bestGap)
            {
                bestGap = Math.Abs(flops - targetFlops);
                best = candidate;
            }
            if (flops > targetFlops) high = scale; else low = scale;
        }
        return best;
    }

    private static ModelConfig Scaled(ModelConfig config, double scale) => config.Narrowed(scale)
        ?? throw new ArgumentException($"{config.KindName} has no shared widths to narrow; narrow a baseline (shared-bottom, mmoe, single-task).");
}
