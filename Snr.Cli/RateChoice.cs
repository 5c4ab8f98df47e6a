namespace Snr.Cli;

/// <summary>
/// Learning rates chosen on the validation split, for <c>snr pareto --lrs … --gate-lrs …</c>: the first seed of each
/// (correlation, model, budget) trains every rate of the grids (gate rates for SNR kinds only); the run of least mean
/// validation loss is that seed's result, and its rates serve every later seed. The test split plays no part.
/// </summary>
internal sealed class RateChoice(float[] rates, float[] gateRates)
{
    private readonly Dictionary<(double? Correlation, string Kind, double Budget), (float Rate, float GateRate)> _chosen = [];

    /// <summary>
    /// Trains <paramref name="settings"/> with the rates chosen for <paramref name="key"/>, choosing them first (and
    /// reporting every candidate through <paramref name="report"/>) when this is the key's first run.
    /// </summary>
    public SweepRun Run((double? Correlation, string Kind, double Budget) key, TrainSettings settings, bool isSnr, Func<TrainSettings, SweepRun> train,
        Action<string> report)
    {
        if (_chosen.TryGetValue(key, out var choice)) return train(WithRates(settings, choice.Rate, choice.GateRate));
        float[] candidates = rates.Length == 0 ? [settings.LearningRate] : rates;
        float[] gates = isSnr && gateRates.Length > 0 ? gateRates : [settings.Training.GateLearningRate];
        var tried = candidates.SelectMany(rate => gates.Select(gate => train(WithRates(settings, rate, gate)))).ToList();
        var best = tried.MinBy(r => r.ValidationLoss)!;
        _chosen[key] = (best.LearningRate, best.GateLearningRate ?? settings.Training.GateLearningRate);
        if (tried.Count > 1)
        {
            string Rates(SweepRun r) => ParetoChart.Invariant($"{r.LearningRate:G3}{(isSnr ? $"/{r.GateLearningRate:G3}" : "")}");
            report(ParetoChart.Invariant($"{key.Kind} at budget {key.Budget:0.###}{(key.Correlation is { } c ? $", correlation {c}" : "")}: chose lr {Rates(best)}{(isSnr ? " (lr/gate lr)" : "")}, validation loss {best.ValidationLoss:F5}; tried {string.Join(", ", tried.Select(r => $"{Rates(r)}: {r.ValidationLoss:F5}"))}"));
        }
        return best;
    }

    /// <summary>Parses a comma-separated list of positive learning rates (empty when <paramref name="list"/> is null).</summary>
    /// <exception cref="UserError">A value is not a positive finite number.</exception>
    public static float[] Parse(string? list, string option) => list is null ? [] :
        [.. ParetoCommand.ParseList(list, option).Select(r => float.TryParse(r, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v) && float.IsFinite(v) && v > 0
            ? v : throw new UserError($"{option} takes positive learning rates such as 0.001,0.003,0.01; got '{r}'."))];

    private static TrainSettings WithRates(TrainSettings settings, float rate, float gateRate) => settings with
    {
        Training = settings.Training with { Optimizer = settings.Training.Optimizer with { LearningRate = rate }, GateLearningRate = gateRate },
    };
}
