using Snr.Tests.Core;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16, missing labels: a row whose label for a task is missing adds no loss and no gradient
/// to that task (it still trains the others), and the task's metrics leave it out.
/// </summary>
public sealed class MissingLabelTests
{
    [Fact]
    public void Weighted_losses_match_finite_differences_and_skip_rows_of_weight_zero()
    {
        var logits = TestData.Normal(Shape.Matrix(8, 1), 31, std: 3);
        var predictions = TestData.Normal(Shape.Matrix(8, 1), 32);
        // Rows 2 and 5 have no label (NaN) and weight 0; the others carry weights as a --weight column would.
        var targets = Tensor.FromArray([1, 0, float.NaN, 1, 0, float.NaN, 1, 0], Shape.Matrix(8, 1));
        var weights = Tensor.FromArray([1, 2.5f, 0, 0.5f, 1, 0, 3, 1], Shape.Matrix(8, 1));
        OpCheck.AgainstFiniteDifferences(t => Ops.BceWithLogits(t[0], targets, weights), logits);
        OpCheck.AgainstFiniteDifferences(t => Ops.MseLoss(t[0], targets, weights), predictions);

        // The value is the weighted mean over the labelled rows, against a direct computation.
        double bce = 0, mse = 0, weightSum = 0;
        for (int i = 0; i < 8; i++)
        {
            if (weights.Data[i] == 0) continue;
            double z = logits.Data[i], y = targets.Data[i], w = weights.Data[i], p = 1 / (1 + Math.Exp(-z));
            bce -= w * (y * Math.Log(p) + (1 - y) * Math.Log(1 - p));
            mse += w * (predictions.Data[i] - y) * (predictions.Data[i] - y);
            weightSum += w;
        }
        Assert.Equal(bce / weightSum, Ops.BceWithLogits(logits, targets, weights).Item(), 4);
        Assert.Equal(mse / weightSum, Ops.MseLoss(predictions, targets, weights).Item(), 4);

        // The masked rows get exactly zero gradient.
        foreach (var loss in new Func<Tensor>[] { () => Ops.BceWithLogits(logits, targets, weights), () => Ops.MseLoss(predictions, targets, weights) })
        {
            logits.ZeroGrad();
            predictions.ZeroGrad();
            loss().Backward();
            foreach (int masked in new[] { 2, 5 })
            {
                Assert.Equal(0f, logits.Grad[masked]);
                Assert.Equal(0f, predictions.Grad[masked]);
            }
            Tape.Current.Reset();
        }

        // All weights 0: the loss is 0, not NaN, and so is every gradient.
        var none = Tensor.Zeros(8, 1);
        logits.ZeroGrad();
        var empty = Ops.BceWithLogits(logits, targets, none);
        Assert.Equal(0f, empty.Item());
        empty.Backward();
        Assert.All(logits.Grad.ToArray(), g => Assert.Equal(0f, g));
        Tape.Current.Reset();

        Assert.Throws<ArgumentException>(() => Ops.MseLoss(predictions, targets, Tensor.FromArray([1, 1, 1, -1, 1, 1, 1, 1], Shape.Matrix(8, 1))));
        Assert.Throws<ArgumentException>(() => Ops.MseLoss(predictions, targets, Tensor.Zeros(7, 1)));
    }

    [Fact]
    public void Masked_rows_give_a_tasks_tower_exactly_zero_gradient()
    {
        var model = ModelFactory.Create(CoreTestModels.SharedBottom(4, CoreTestModels.Binary, seed: 3));
        var x = TestData.Normal(Shape.Matrix(6, 4), 33, requiresGrad: false);
        var clickTargets = Tensor.FromArray([1, 0, 1, float.NaN, float.NaN, float.NaN], Shape.Matrix(6, 1));
        var clickWeights = Tensor.FromArray([1, 1, 1, 0, 0, 0], Shape.Matrix(6, 1));
        var buyTargets = Tensor.FromArray([0, 1, 1, 0, 1, 0], Shape.Matrix(6, 1));
        var tower = model.Parameters().Where(p => p.Name.StartsWith("towers.click.", StringComparison.Ordinal)).Select(p => p.Tensor).ToArray();
        Assert.NotEmpty(tower);

        // The masked loss passes a gradient check with respect to the click tower's output layer (smooth in
        // it: a finite step on the inner layers' weights can cross a ReLU kink).
        var result = GradientChecker.Check(() => Ops.BceWithLogits(model.Forward(x, training: false)[0], clickTargets, clickWeights), tower[^2..]);
        Assert.True(result.Passed, result.ToString());

        // Rows 3–5 have no click label: only the click loss of rows 0–2 reaches the click tower, so its
        // gradient equals that of a batch of rows 0–2 alone (the buy task does not reach this tower).
        float[][] TowerGradient(Tensor input, Tensor targets, Tensor? weights)
        {
            foreach (var p in model.Parameters()) p.Tensor.ZeroGrad();
            var outputs = model.Forward(input, training: false);
            var loss = Ops.Add(Ops.BceWithLogits(outputs[0], targets, weights), Ops.BceWithLogits(outputs[1], input.Shape[0] == 6 ? buyTargets : Tensor.FromArray([0, 1, 1], Shape.Matrix(3, 1))));
            loss.Backward();
            var grads = tower.Select(t => t.Grad.ToArray()).ToArray();
            Tape.Current.Reset();
            return grads;
        }
        var masked = TowerGradient(x, clickTargets, clickWeights);
        var firstRows = Tensor.FromArray(x.Data[..12].ToArray(), Shape.Matrix(3, 4));
        var labelledOnly = TowerGradient(firstRows, Tensor.FromArray([1, 0, 1], Shape.Matrix(3, 1)), null);
        for (int i = 0; i < tower.Length; i++) TensorAssert.Close(labelledOnly[i], masked[i], 1e-6, $"click tower parameter {i}");

        // With every click label missing, the click tower's gradient is exactly zero.
        var allMissing = TowerGradient(x, Tensor.FromArray([float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN], Shape.Matrix(6, 1)), Tensor.Zeros(6, 1));
        Assert.All(allMissing.SelectMany(g => g), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void A_missing_label_in_a_file_is_masked_in_training_and_left_out_of_the_metrics()
    {
        string folder = Directory.CreateTempSubdirectory("snr-missing-").FullName;
        try
        {
            // Every third row has no income label; the sex task is labelled everywhere.
            var rows = AdultLikeCsv.Rows().Select((r, i) => i % 3 == 1 ? r[..r.LastIndexOf(',')] + ",?" : r).ToList();
            var table = RawTable.Load(AdultLikeCsv.Write(Path.Combine(folder, "partial.csv"), rows), CsvOptions.Default);
            var schema = new TabularSchema(
                [new("age", ColumnKind.Numeric), new("workclass", ColumnKind.Categorical), new("hours", ColumnKind.Numeric), new("sex", ColumnKind.Categorical), new("income", ColumnKind.Categorical)],
                [new TaskSpec("income", "income", TaskKind.Binary, [">50K"]), new TaskSpec("male", "sex", TaskKind.Binary, ["Male"])]);
            var split = TabularSplit.Create(table, schema, seed: 2);
            var income = split.Test.Labels(0).ToArray();
            Assert.Contains(income, MultiTaskDataset.IsMissing);
            Assert.DoesNotContain(split.Test.Labels(1).ToArray(), MultiTaskDataset.IsMissing);

            var tasks = schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind)).ToArray();
            var model = ModelFactory.Create(DefaultModels.Create("mmoe", split.Train.NumericCount, split.Encoder.EmbeddingConfig(), tasks, seed: 2));
            var history = new Trainer(model, new TrainingConfig { Epochs = 2, BatchSize = 32, Seed = 2 }).Fit(split.Train, split.Validation);
            Assert.All(history.Epochs, e => Assert.True(double.IsFinite(e.TrainLoss[0]) && double.IsFinite(e.TrainLoss[1])));

            // The income metrics are those of the labelled test rows alone.
            var metrics = Evaluator.Evaluate(model, split.Test);
            var predictions = Evaluator.Predict(model, split.Test)[0];
            int[] labelled = [.. Enumerable.Range(0, income.Length).Where(r => !MultiTaskDataset.IsMissing(income[r]))];
            float[] y = [.. labelled.Select(r => income[r])], p = [.. labelled.Select(r => predictions[r])];
            Assert.Equal(Metrics.RocAuc(y, p), metrics[0].Auc);
            Assert.Equal(Metrics.LogLoss(y, p), metrics[0].LogLoss);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
