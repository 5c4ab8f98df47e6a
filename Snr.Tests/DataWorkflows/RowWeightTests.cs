using Snr.Datasets;
using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.DataWorkflows;

/// <summary>Issue 16, per-row weights (--weight COLUMN): in the loss and in the metrics.</summary>
public sealed class RowWeightTests
{
    [Fact]
    public void Weighted_auc_and_log_loss_match_a_direct_computation()
    {
        var random = new Random(5);
        int n = 300;
        // Scores on a coarse grid, so that many are tied; some weights are 0.
        float[] labels = [.. Enumerable.Range(0, n).Select(_ => random.Next(3) == 0 ? 1f : 0f)];
        float[] scores = [.. Enumerable.Range(0, n).Select(_ => random.Next(20) / 20f + 0.01f)];
        float[] weights = [.. Enumerable.Range(0, n).Select(_ => random.Next(5) == 0 ? 0f : (float)(random.NextDouble() * 3))];

        double pairs = 0, positives = 0, negatives = 0, logLoss = 0, weightSum = 0;
        for (int i = 0; i < n; i++)
        {
            if (labels[i] == 1) positives += weights[i]; else negatives += weights[i];
            logLoss -= weights[i] * (labels[i] * Math.Log(scores[i]) + (1 - labels[i]) * Math.Log(1 - scores[i]));
            weightSum += weights[i];
            for (int j = 0; j < n; j++)
                if (labels[i] == 1 && labels[j] == 0)
                    pairs += weights[i] * weights[j] * (scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0);
        }
        Assert.Equal(pairs / (positives * negatives), Metrics.RocAuc(labels, scores, weights), 9);
        Assert.Equal(logLoss / weightSum, Metrics.LogLoss(labels, scores, weights), 9);
        // Weight 1 everywhere is the unweighted metric; a row of weight 0 is as if absent.
        Assert.Equal(Metrics.RocAuc(labels, scores), Metrics.RocAuc(labels, scores, [.. Enumerable.Repeat(1f, n)]), 15);
        int[] kept = [.. Enumerable.Range(0, n).Where(i => weights[i] > 0)];
        Assert.Equal(Metrics.RocAuc([.. kept.Select(i => labels[i])], [.. kept.Select(i => scores[i])], [.. kept.Select(i => weights[i])]),
            Metrics.RocAuc(labels, scores, weights), 9);
        Assert.Throws<ArgumentException>(() => Metrics.RocAuc(labels, scores, weights[..10]));
    }

    [Fact]
    public void A_weight_of_two_counts_a_row_twice_in_the_loss_and_its_gradient()
    {
        var logits = TestData.Normal(Shape.Matrix(3, 1), 41, std: 2);
        var targets = Tensor.FromArray([1, 0, 1], Shape.Matrix(3, 1));
        var repeated = Tensor.FromArray([logits.Data[0], logits.Data[1], logits.Data[1], logits.Data[2]], Shape.Matrix(4, 1), requiresGrad: true);
        var weighted = Ops.BceWithLogits(logits, targets, Tensor.FromArray([1, 2, 1], Shape.Matrix(3, 1)));
        var plain = Ops.BceWithLogits(repeated, Tensor.FromArray([1, 0, 0, 1], Shape.Matrix(4, 1)));
        Assert.Equal(plain.Item(), weighted.Item(), 6);
        weighted.Backward();
        plain.Backward();
        Assert.Equal(repeated.Grad[0], logits.Grad[0], 6);
        Assert.Equal(repeated.Grad[1] + repeated.Grad[2], logits.Grad[1], 6);
        Assert.Equal(repeated.Grad[3], logits.Grad[2], 6);
        Tape.Current.Reset();
    }

    [Fact]
    public void Census_instance_weights_reach_the_datasets_and_the_metrics()
    {
        var table = CensusIncome.Load();
        var schema = CensusIncome.Schema(1) with { WeightColumn = "instance_weight" };
        var split = TabularSplit.Create(table, schema, seed: 1);
        var testRows = DataSplit.Shuffled(table.RowCount, seed: 1).Test;
        int weightColumn = table.ColumnIndex("instance_weight");
        Assert.Equal(testRows.Length, split.Test.RowWeights.Length);
        for (int i = 0; i < 50; i++) Assert.Equal(float.Parse(table.Value(testRows[i], weightColumn), System.Globalization.CultureInfo.InvariantCulture), split.Test.RowWeights[i]);

        // The evaluator weights the metrics by the dataset's row weights.
        var tasks = schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind)).ToArray();
        var model = ModelFactory.Create(DefaultModels.Create("mmoe", split.Train.NumericCount, split.Encoder.EmbeddingConfig(), tasks, seed: 1));
        var metrics = Evaluator.Evaluate(model, split.Test);
        var scores = Evaluator.Predict(model, split.Test)[0];
        Assert.Equal(Metrics.RocAuc(split.Test.Labels(0), scores, split.Test.RowWeights), metrics[0].Auc);
        Assert.NotEqual(Metrics.RocAuc(split.Test.Labels(0), scores), metrics[0].Auc);

        Assert.Contains("a Numeric input", Assert.Throws<ArgumentException>(() => (CensusIncome.Schema(1) with { WeightColumn = "age" }).Validate()).Message);
    }

    [Fact]
    public void Snr_train_takes_a_weight_column_and_a_bad_weight_is_named_with_its_place()
    {
        string folder = Directory.CreateTempSubdirectory("snr-weights-").FullName;
        try
        {
            var rows = AdultLikeCsv.Rows().Select((r, i) => r + "," + (1 + i % 4)).ToList();
            string data = AdultLikeCsv.Write(Path.Combine(folder, "weighted.csv"), rows, AdultLikeCsv.Header + ",w");
            string model = Path.Combine(folder, "model");
            var (code, output, error) = Run("train", "--data", data, "--task", "income:income:>50K", "--weight", "w", "--epochs", "1", "--out", model);
            Assert.True(code == 0, error);
            Assert.Contains("w: Ignored", output);
            Assert.Contains("# row weight: w", output);
            var (evalCode, _, evalError) = Run("eval", "--model", model, "--data", data);
            Assert.True(evalCode == 0, evalError);

            rows[6] = rows[6][..rows[6].LastIndexOf(',')] + ",-2";
            string bad = AdultLikeCsv.Write(Path.Combine(folder, "bad.csv"), rows, AdultLikeCsv.Header + ",w");
            var (badCode, _, badError) = Run("train", "--data", bad, "--task", "income:income:>50K", "--weight", "w", "--epochs", "1", "--out", Path.Combine(folder, "m2"));
            Assert.Equal(1, badCode);
            Assert.Contains("bad.csv:8:", badError);
            Assert.Contains("the row weight '-2' is negative", badError);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
