namespace Snr.Tests.Robustness;

/// <summary>The Trainer refuses empty training data, and a cancelled run leaves the model at a completed epoch and says which.</summary>
public class TrainerStopTests
{
    private static readonly TaskConfig[] Tasks = [new("click"), new("spend", TaskKind.Regression)];

    private static MultiTaskDataset Rows(int count)
    {
        var features = new float[count * 4];
        for (int i = 0; i < features.Length; i++) features[i] = (i * 7 % 11) / 11f;
        var click = Enumerable.Range(0, count).Select(i => (float)(i % 2)).ToArray();
        var spend = Enumerable.Range(0, count).Select(i => (float)(i % 5)).ToArray();
        return new MultiTaskDataset(features, 4, ["click", "spend"], [click, spend]);
    }

    private static MultiTaskModel Model() => ModelFactory.Create(DefaultModels.Create("snr-trans", 4, null, Tasks, seed: 2));

    // Issue 12 item 8: one row with a 10 % validation split used to leave 0 training rows and divide by zero.
    [Fact]
    public void Empty_training_data_is_refused_with_a_clear_exception()
    {
        var trainer = new Trainer(Model(), new TrainingConfig { Epochs = 1 });
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(Rows(0), Rows(3)));
        Assert.Contains("training data has no rows", error.Message);
    }

    // Issue 12 item 11: cancelled during epoch 3, the model holds exactly the weights it had after epoch 2.
    [Fact]
    public void A_cancelled_fit_keeps_the_last_completed_epoch()
    {
        var data = Rows(64);
        var config = new TrainingConfig { Epochs = 2, BatchSize = 16, Seed = 3, ValidationFraction = 0 };
        var twoEpochs = Model();
        new Trainer(twoEpochs, config).Fit(data);

        var cancelled = Model();
        using var interrupt = new CancellationTokenSource();
        var error = Assert.Throws<TrainingCanceledException>(() => new Trainer(cancelled, config with { Epochs = 5 })
            .Fit(data, progress: e => { if (e.Epoch == 2) interrupt.Cancel(); }, cancellationToken: interrupt.Token));
        Assert.Equal(2, error.History.BestEpoch);
        Assert.Equal(2, error.History.Epochs.Count);
        Assert.Equal(twoEpochs.Parameters().SelectMany(p => p.Tensor.Data.ToArray()), cancelled.Parameters().SelectMany(p => p.Tensor.Data.ToArray()));
    }
}
