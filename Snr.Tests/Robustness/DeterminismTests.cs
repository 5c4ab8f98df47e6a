namespace Snr.Tests.Robustness;

/// <summary>Training gives bit-identical weights on one thread and on all cores, and for the same seed.</summary>
public class DeterminismTests
{
    private static float[][] Train(int? threadLimit)
    {
        const int rows = 1024, d = 48;
        var x = TestData.Normal(rows * d, 5);
        var a = new float[rows];
        var b = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            a[r] = x[r * d] + x[r * d + 1] > 0 ? 1 : 0;
            b[r] = x[r * d + 2] * x[r * d + 3];
        }
        var data = new MultiTaskDataset(x, d, ["a", "b"], [a, b]);
        var model = ModelFactory.Create(DefaultModels.Create("snr-trans", d, null, [new("a"), new("b", TaskKind.Regression)], seed: 9));
        var config = new TrainingConfig { Epochs = 2, BatchSize = 512, Seed = 9, ValidationFraction = 0, L0Lambda = 1e-3f };
        if (threadLimit is { } limit)
        {
            using (KernelParallelism.Limit(limit)) new Trainer(model, config).Fit(data);
        }
        else
        {
            new Trainer(model, config).Fit(data);
        }
        return [.. model.Parameters().Select(p => p.Tensor.Data.ToArray())];
    }

    [Fact]
    public void One_thread_and_all_cores_give_bit_identical_weights()
    {
        var one = Train(1);
        var all = Train(null);
        Assert.Equal(one.Length, all.Length);
        for (int i = 0; i < one.Length; i++)
            Assert.True(one[i].AsSpan().SequenceEqual(all[i]), $"parameter {i} differs between 1 thread and {Environment.ProcessorCount}");
    }
}
