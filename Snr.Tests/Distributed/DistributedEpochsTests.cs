using Snr.Cli;
using Snr.Core.Training;
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
        var job = Job("epochs", Mmoe(), workers: 2, training: training);
        var output = new StringWriter();
        var epochs = new DistributedEpochs(job, DataParallelFixtures.Data(80), new CliConsole(output, TextWriter.Null, interactive: false));

        var trained = InProcess(job, 6);
        Assert.True(epochs.End(1, trained, [0.7, 0.6], 0.65, TimeSpan.FromSeconds(1)));
        // Weights blown up by 30: a far worse validation loss, which with a patience of 1 ends the run.
        var worse = trained.Select(w => 30 * w).ToArray();
        Assert.False(epochs.End(2, worse, [0.7, 0.6], 0.65, TimeSpan.FromSeconds(1)));

        Assert.True(epochs.StoppedEarly);
        Assert.Equal(1, epochs.BestEpoch);
        Assert.Same(trained, epochs.Kept(worse));
        string[] lines = output.ToString().TrimEnd().Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("epoch 1/5  loss 0.6500  validation: click auc ", lines[0]);
        Assert.Contains("buy auc", lines[1]);
    }
}
