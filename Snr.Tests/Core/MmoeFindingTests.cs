using Xunit.Abstractions;

namespace Snr.Tests.Core;

/// <summary>
/// The qualitative finding of the MMoE paper (Ma et al., KDD 2018, section 3.3, figure 4):
/// Shared-Bottom suffers more than MMoE when the tasks are less related, so the gap between
/// them grows as the task correlation p falls.
/// </summary>
public class MmoeFindingTests(ITestOutputHelper output)
{
    // Small enough to run in about two seconds, tight enough that task conflict matters: the
    // Shared-Bottom's representation is 3 ReLUs wide; MMoE has 4 experts of that width, so each
    // tower still reads a 3-wide mixture but the experts can specialise. At p = 1 both tasks need
    // one direction of the input; at p = 0.5 they need two, which 3 shared units cover poorly.
    private const int Dimension = 16, Width = 3, Experts = 4, Seeds = 8;

    [Fact]
    public void The_gap_between_shared_bottom_and_mmoe_grows_as_task_correlation_falls()
    {
        double gapSame = 0, gapHalf = 0;
        int grew = 0;
        for (ulong seed = 1; seed <= Seeds; seed++)
        {
            double same = Gap(1.0, seed), half = Gap(0.5, seed);
            output.WriteLine($"seed {seed}: gap at p = 1: {same:F3}, at p = 0.5: {half:F3}");
            gapSame += same / Seeds;
            gapHalf += half / Seeds;
            if (half > same) grew++;
        }
        output.WriteLine($"mean gap at p = 1: {gapSame:F3}, at p = 0.5: {gapHalf:F3}");
        // Observed (relative MSE, 1 = predicting the mean): 0.008 at p = 1 and 0.130 at p = 0.5, the gap
        // growing in 7 of the 8 seeds; with seeds 21–28 instead, 0.012 and 0.035, again 7 of 8. The size
        // of the effect varies with the problems drawn, its direction does not: so the test asks for the
        // direction, on average and in most seeds, rather than for a size.
        Assert.True(gapHalf > gapSame, $"mean gap at p = 0.5 ({gapHalf:F3}) is not above the gap at p = 1 ({gapSame:F3})");
        Assert.True(grew >= 6, $"the gap grew in only {grew} of {Seeds} seeds");
    }

    /// <summary>Validation MSE of Shared-Bottom minus MMoE, both tasks averaged, labels standardised (so 1 = predicting the mean).</summary>
    private static double Gap(double correlation, ulong seed)
    {
        var options = new SyntheticMmoeOptions { Dimension = Dimension };
        var train = Standardised(SyntheticMmoeData.Generate(2000, correlation, problemSeed: seed, rowSeed: 100 + seed, options));
        var validation = Standardised(SyntheticMmoeData.Generate(1000, correlation, problemSeed: seed, rowSeed: 200 + seed, options));
        double Loss(ModelConfig config)
        {
            var model = ModelFactory.Create(config);
            var training = new TrainingConfig { Epochs = 12, BatchSize = 64, Seed = seed, ValidationFraction = 0, Optimizer = new() { LearningRate = 0.01f } };
            new Trainer(model, training).Fit(train);
            var metrics = Evaluator.Evaluate(model, validation);
            return (metrics[0].Mse!.Value + metrics[1].Mse!.Value) / 2;
        }
        double sharedBottom = Loss(new SharedBottomConfig
        {
            NumericInputs = Dimension, Tasks = CoreTestModels.Regression, BottomHidden = [Width], TowerHidden = [8], Seed = seed,
        });
        double mmoe = Loss(new MmoeConfig
        {
            NumericInputs = Dimension, Tasks = CoreTestModels.Regression, Experts = Experts, ExpertHidden = [Width], TowerHidden = [8], Seed = seed,
        });
        return sharedBottom - mmoe;
    }

    // Each task's labels scaled to mean 0 and variance 1 (on the set itself): the sine terms make the
    // label scale vary several-fold between problem seeds, and unscaled targets sometimes kill the
    // narrow bottom's ReLUs early, which would add noise that has nothing to do with p.
    private static MultiTaskDataset Standardised(MultiTaskDataset data)
    {
        var labels = new float[data.TaskNames.Count][];
        for (int t = 0; t < labels.Length; t++)
        {
            var values = data.Labels(t).ToArray();
            double mean = values.Average(v => (double)v);
            double std = Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
            labels[t] = values.Select(v => (float)((v - mean) / std)).ToArray();
        }
        return new MultiTaskDataset(data.Numeric, data.NumericCount, data.TaskNames, labels);
    }
}
