using Snr.Distributed;
using static Snr.Tests.Distributed.DataParallelFixtures;

namespace Snr.Tests.Distributed;

/// <summary>Validation and early stopping at the epoch ends of a data-parallel run.</summary>
public sealed class DistributedEpochsTests
{
    [Fact]
    public void EvaluatesEveryEpochAndStopsEarlyKeepingTheBestEpochsWeights()
    {
        var training = new TrainingConfig
        {
            Optimizer = new OptimizerConfig { LearningRate = 0.01f }, Epochs = 5,
            EarlyStopping = new EarlyStoppingConfig { Task = "click", Metric = ValidationMetric.Loss, Patience = 1 },
        };
        var job = Job("epochs", Mmoe(), workers: 2, training: training) with { StepsPerEpoch = 2 };
        var output = new StringWriter();
        var epochs = new DistributedEpochs(job, DataParallelFixtures.Data(80), new CliConsole(output, TextWriter.Null, interactive: false));
        static StepReport Report(long step, float loss) => new() { Step = step, Loss = loss, TaskLosses = [loss + 0.1f, loss - 0.1f] };

        var trained = InProcess(job, 6);
        Assert.True(epochs.Step(Report(0, 0.6f), () => throw new InvalidOperationException("weights are fetched at epoch ends only")));
        Assert.True(epochs.Step(Report(1, 0.7f), () => trained));
        // Weights blown up by 30: a far worse validation loss, which with a patience of 1 ends the run.
        var worse = trained.Select(w => 30 * w).ToArray();
        Assert.True(epochs.Step(Report(2, 0.5f), () => throw new InvalidOperationException("weights are fetched at epoch ends only")));
        Assert.False(epochs.Step(Report(3, 0.5f), () => worse));

        Assert.True(epochs.StoppedEarly);
        Assert.Equal(1, epochs.BestEpoch);
        Assert.Same(trained, epochs.Kept(worse));
        string[] lines = output.ToString().TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("epoch 1/5  loss 0.6500  validation: click auc ", lines[0]); // the mean of the epoch's two steps
        Assert.Contains("buy auc", lines[1]);
    }
}
