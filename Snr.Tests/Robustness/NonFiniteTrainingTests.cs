namespace Snr.Tests.Robustness;

/// <summary>A NaN or infinite loss stops training with the step, task and tensor named, and the last good weights kept.</summary>
public class NonFiniteTrainingTests
{
    private static readonly TaskConfig[] Tasks = [new("click"), new("spend", TaskKind.Regression)];

    private static (MultiTaskModel, Tensor, Tensor[]) Setup()
    {
        var model = ModelFactory.Create(DefaultModels.Create("snr-trans", 6, null, Tasks, seed: 2));
        var x = TestData.Normal(Shape.Matrix(8, 6), 3, requiresGrad: false);
        var click = Tensor.FromArray([1, 0, 1, 1, 0, 0, 1, 0], Shape.Matrix(8, 1));
        var spend = TestData.Normal(Shape.Matrix(8, 1), 4, requiresGrad: false);
        return (model, x, [click, spend]);
    }

    private static float[][] Weights(MultiTaskModel model) => [.. model.Parameters().Select(p => p.Tensor.Data.ToArray())];

    [Fact]
    public void A_nan_label_stops_training_naming_step_task_and_tensor_and_keeps_the_weights()
    {
        var (model, x, targets) = Setup();
        var step = new TrainingStep(model, new Adam(model.Parameters()), [1f, 1f], l0Lambda: 1e-3f);
        step.Run(x, targets);
        step.Run(x, targets);
        var good = Weights(model);
        targets[1].Data[5] = float.NaN;
        var error = Assert.Throws<NonFiniteTrainingException>(() => step.Run(x, targets));
        Assert.Equal((3L, "spend", "the loss"), (error.Step, error.Task, error.Tensor));
        Assert.Contains("step 3", error.Message);
        Assert.Equal(good, Weights(model));
    }

    [Fact]
    public void An_infinite_input_is_caught_and_can_be_skipped_and_counted()
    {
        var (model, x, targets) = Setup();
        var step = new TrainingStep(model, new Adam(model.Parameters()), [1f, 1f], skipNonFiniteBatches: true);
        step.Run(x, targets);
        var good = Weights(model);
        var bad = Tensor.FromArray(x.Data.ToArray(), x.Shape);
        bad.Data[0] = float.PositiveInfinity;
        Assert.True(float.IsNaN(step.Run(bad, targets)));
        Assert.Equal(1, step.SkippedBatches);
        Assert.Equal(good, Weights(model));
        Assert.True(float.IsFinite(step.Run(x, targets))); // training goes on
    }

    [Fact]
    public void Huge_logits_and_log_alphas_stay_finite()
    {
        var logits = Tensor.FromArray([1e4f, -1e4f], Shape.Vector(2), requiresGrad: true);
        var loss = Ops.BceWithLogits(logits, Tensor.FromArray([0f, 1f], Shape.Vector(2)));
        Assert.Equal(1e4f, loss.Item(), 1f);
        var logAlpha = Tensor.FromArray([1e3f, -1e3f], Shape.Vector(2), requiresGrad: true);
        var z = Ops.HardConcreteGates(logAlpha, [0.5f, 0.5f], HardConcrete.Default);
        Assert.Equal([1f, 0f], z.Data.ToArray());
        Assert.True(float.IsFinite(Ops.L0Penalty(logAlpha, HardConcrete.Default).Item()));
        Ops.Add(Ops.Sum(z), Ops.Sum(Ops.ServingGates(logAlpha, HardConcrete.Default))).Backward();
        Assert.All(logAlpha.Grad.ToArray(), g => Assert.Equal(0f, g));
        Tape.Current.Reset();
    }
}

public class UndefinedMetricTests
{
    [Fact]
    public void Auc_of_a_task_with_one_class_is_reported_as_undefined_not_nan()
    {
        var x = TestData.Normal(20 * 3, 1);
        var data = new Snr.Core.Data.MultiTaskDataset(x, 3, ["all_ones", "mixed"], [Enumerable.Repeat(1f, 20).ToArray(), [.. Enumerable.Range(0, 20).Select(i => (float)(i % 2))]]);
        var model = ModelFactory.Create(DefaultModels.Create("mmoe", 3, null, [new("all_ones"), new("mixed")], seed: 1));
        var metrics = Evaluator.Evaluate(model, data);
        Assert.Null(metrics[0].Auc);
        Assert.True(double.IsFinite(metrics[0].LogLoss!.Value));
        Assert.NotNull(metrics[1].Auc);
    }

    [Fact]
    public void Constant_features_standardise_to_zero_instead_of_dividing_by_zero()
    {
        string path = Path.Combine(Path.GetTempPath(), $"snr-constant-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(path, ["c,x,y", "5,1,yes", "5,2,no", "5,3,yes"]);
        try
        {
            var table = Snr.Core.Tabular.RawTable.Load(path, Snr.Core.Tabular.CsvOptions.Default);
            var schema = new Snr.Core.Tabular.TabularSchema(
                [new("c", Snr.Core.Tabular.ColumnKind.Numeric), new("x", Snr.Core.Tabular.ColumnKind.Numeric), new("y", Snr.Core.Tabular.ColumnKind.Categorical)],
                [new Snr.Core.Tabular.TaskSpec("y", "y", TaskKind.Binary, ["yes"])]);
            var encoded = Snr.Core.Tabular.TabularEncoder.Fit(table, schema, [0, 1, 2]).Encode(table, [0, 1, 2]);
            Assert.Equal([0f, 0f, 0f], Enumerable.Range(0, 3).Select(r => encoded.Numeric[r * 2]));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
