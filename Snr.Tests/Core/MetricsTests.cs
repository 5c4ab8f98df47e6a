namespace Snr.Tests.Core;

public class MetricsTests
{
    [Fact]
    public void Auc_counts_ties_as_one_half()
    {
        // pairs (pos, neg): (0.8 > 0.3) 1, (0.8 > 0.5) 1, (0.5 = 0.5) ½, (0.5 > 0.3) 1 → 3.5 / 4
        Assert.Equal(0.875, Metrics.RocAuc([1, 0, 1, 0], [0.8f, 0.3f, 0.5f, 0.5f]), 12);
        Assert.Equal(0.5, Metrics.RocAuc([1, 0, 1, 0], [0.5f, 0.5f, 0.5f, 0.5f]), 12);
        Assert.Equal(1.0, Metrics.RocAuc([0, 0, 1], [0.1f, 0.2f, 0.9f]), 12);
        Assert.Equal(0.0, Metrics.RocAuc([1, 0], [0.1f, 0.9f]), 12);
        Assert.True(double.IsNaN(Metrics.RocAuc([1, 1], [0.1f, 0.9f])));
    }

    [Fact]
    public void Auc_equals_the_pairwise_definition_on_random_data_with_ties()
    {
        var rng = new Snr.Kernels.CounterRng(5);
        int n = 300;
        var labels = new float[n];
        var scores = new float[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.Uniform(1, (ulong)i) < 0.3f ? 1 : 0;
            scores[i] = MathF.Round(rng.Uniform(2, (ulong)i) * 10) / 10;   // many ties
        }
        double pairs = 0, wins = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (labels[i] == 1 && labels[j] == 0)
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
        Assert.Equal(wins / pairs, Metrics.RocAuc(labels, scores), 12);
    }

    [Fact]
    public void Log_loss_and_squared_errors()
    {
        Assert.Equal(-(Math.Log(0.8) + Math.Log(0.6)) / 2, Metrics.LogLoss([1, 0], [0.8f, 0.4f]), 6);
        Assert.True(Metrics.LogLoss([1], [0f]) is > 15 and < 17);   // clipped at 1e-7, finite
        Assert.Equal(2.5, Metrics.MeanSquaredError([0, 0], [1, 2]), 12);
        Assert.Equal(Math.Sqrt(2.5), Metrics.RootMeanSquaredError([0, 0], [1, 2]), 12);
        Assert.Throws<ArgumentException>(() => Metrics.MeanSquaredError([0], [1, 2]));
        Assert.Throws<ArgumentException>(() => Metrics.RocAuc([0, 1], [float.NaN, 1]));
    }
}
