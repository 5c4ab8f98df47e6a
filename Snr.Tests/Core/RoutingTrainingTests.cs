using Snr.Core.Routing;
using Xunit.Abstractions;

namespace Snr.Tests.Core;

/// <summary>Gate training: the gates' own learning rate, the per-row penalty, the budget controller and the no-cut-off rule.</summary>
public class RoutingTrainingTests
{
    private readonly ITestOutputHelper _output;

    public RoutingTrainingTests(ITestOutputHelper output)
    {
        _output = output;
        Tape.Current.Reset();
    }

    private static readonly MultiTaskDataset Data = SyntheticMmoeData.Generate(1200, 0.5, problemSeed: 1, rowSeed: 2, CoreTestModels.SmallSynthetic);

    private static SnrModel NewModel() => (SnrModel)ModelFactory.Create(CoreTestModels.SnrTrans(16, CoreTestModels.Regression));

    private static Tensor[] Targets(MultiTaskDataset data, int rows) =>
        [.. Enumerable.Range(0, 2).Select(t => Tensor.FromArray(data.Labels(t)[..rows].ToArray(), Shape.Matrix(rows, 1)))];

    private static Tensor Features(MultiTaskDataset data, int rows) =>
        Tensor.FromArray(data.Numeric[..(rows * data.NumericCount)].ToArray(), Shape.Matrix(rows, data.NumericCount));

    [Fact]
    public void The_gate_learning_rate_reaches_log_alpha_only()
    {
        var model = NewModel();
        var before = model.Parameters().ToDictionary(p => p.Name, p => p.Tensor.Data.ToArray());
        var optimizer = new OptimizerConfig { LearningRate = 1e-4f }.Create(model.Parameters());
        Assert.Equal(2, optimizer.SetLearningRate(Trainer.IsGate, 0.5f));
        var step = new TrainingStep(model, optimizer, [1f, 1f]);
        step.Run(Features(Data, 32), Targets(Data, 32));
        foreach (var p in model.Parameters())
        {
            float moved = p.Tensor.Data.ToArray().Zip(before[p.Name], (a, b) => Math.Abs(a - b)).Max();
            // Adam's first step moves each element by at most its learning rate (exactly the rate where the gradient is not tiny).
            if (Trainer.IsGate(p)) Assert.InRange(moved, 0.25f, 0.5001f);
            else Assert.InRange(moved, 0f, 1.0001e-4f);
        }
    }

    [Fact]
    public void The_routing_penalty_gives_the_same_gradient_per_row_whatever_the_batch_size()
    {
        // Task losses weigh 0, so the step's update comes from the penalty alone: with the penalty charged per row and the
        // loss a per-row mean, a batch of 8 and a batch of 64 move log α identically.
        float[][] LogAlphaAfterOneStep(int rows)
        {
            var model = NewModel();
            var config = new TrainingConfig { L0Lambda = 0.3f, Epochs = 1, Optimizer = new() { Kind = OptimizerKind.Sgd, LearningRate = 1f, Momentum = 0f } };
            var regularizer = new RoutingRegularizer(model, config, stepsPerEpoch: 1);
            var step = new TrainingStep(model, config.Optimizer.Create(model.Parameters()), [0f, 0f], regularizer: regularizer.Term);
            step.Run(Features(Data, rows), Targets(Data, rows));
            return [.. model.Levels.Select(l => l.Gate.LogAlpha.Data.ToArray())];
        }
        var small = LogAlphaAfterOneStep(8);
        var large = LogAlphaAfterOneStep(64);
        Assert.Contains(small.SelectMany(x => x), v => v != 0f);
        for (int l = 0; l < small.Length; l++) Assert.Equal(small[l], large[l]);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.35)]
    public void The_controller_drives_the_cost_to_the_budget_and_the_serving_cost_ends_within_ten_percent(double target)
    {
        var model = NewModel();
        var config = new TrainingConfig
        {
            Epochs = 16, BatchSize = 16, Seed = 3, ValidationFraction = 0, TargetCost = target, BudgetLearningRate = 0.5f,
            Optimizer = new OptimizerConfig { LearningRate = 0.01f },
        };
        var history = new Trainer(model, config).Fit(Data);
        foreach (var e in history.Epochs)
            _output.WriteLine($"epoch {e.Epoch}: expected {e.Routing!.ExpectedCost:F3} target {e.Routing.Target:F3} serving {e.Routing.ServingFlopsPerRow}/{e.Routing.DenseFlopsPerRow} λ1 {e.Routing.Lambda1:F3} λ2 {e.Routing.Lambda2:F3}");
        _output.WriteLine("changed after training: " + string.Join(", ", history.GateChanges!));
        var last = history.Epochs[^1].Routing!;
        // The expected cost reaches the target once the ramp is over (the multipliers may then swing around it for a while) ...
        double closest = history.Epochs.Skip(8).Min(e => Math.Abs(e.Routing!.ExpectedCost - target));
        Assert.True(closest < 0.05, $"the expected cost came no closer than {closest:F3} to {target}");
        // ... and the serving gates, which decide what the predictor runs, end within ±10 % of it.
        double serving = Predictor.Compile(model).Summary.FlopsPerRow / (double)last.DenseFlopsPerRow;
        Assert.InRange(serving, 0.9 * target, 1.1 * target);
        Assert.All(RoutingRepair.HasPaths(model)[^1], Assert.True);
    }

    [Fact]
    public void An_infeasible_budget_is_refused_with_the_smallest_feasible_one()
    {
        var model = NewModel();
        var cost = new RoutingCost(model);
        var e = Assert.Throws<ConfigException>(() => new Trainer(model, new TrainingConfig { TargetCost = 0.01 }).Fit(Data));
        Assert.Equal("target_cost", e.Field);
        Assert.Contains($"smallest feasible budget is {Math.Ceiling(cost.MinimalFeasible / cost.Dense * 1000) / 1000:0.###}", e.Message);
        e = Assert.Throws<ConfigException>(() => new Trainer(model, new TrainingConfig { TargetConnections = 2 }).Fit(Data));
        Assert.Equal("target_connections", e.Field);
        Assert.Contains("smallest feasible budget is 3 connections", e.Message);
    }

    [Fact]
    public void A_crushing_penalty_still_leaves_a_path_into_every_task()
    {
        var model = NewModel();
        var config = new TrainingConfig
        {
            Epochs = 3, BatchSize = 64, ValidationFraction = 0, L0Lambda = 100f, Penalty = RoutingPenalty.Connections,
            GateLearningRate = 0.5f,
        };
        var history = new Trainer(model, config).Fit(Data);
        Assert.All(RoutingRepair.HasPaths(model)[^1], Assert.True);
        Assert.True(history.Epochs[^1].Routing!.LiveConnections >= 3);
        _output.WriteLine($"live {history.Epochs[^1].Routing!.LiveConnections}, changes: {string.Join(", ", history.GateChanges!)}");
    }

    [Fact]
    public void Bad_budget_fields_are_named()
    {
        var config = CoreTestModels.SnrTrans(16, CoreTestModels.Regression);
        Assert.Equal("target_cost", Assert.Throws<ConfigException>(() => new TrainingConfig { TargetCost = 1.5 }.Validate(config)).Field);
        Assert.Equal("target_connections", Assert.Throws<ConfigException>(() => new TrainingConfig { TargetConnections = 0 }.Validate(config)).Field);
        Assert.Equal("gate_learning_rate", Assert.Throws<ConfigException>(() => new TrainingConfig { GateLearningRate = 0 }.Validate(config)).Field);
        Assert.Equal("target_cost", Assert.Throws<ConfigException>(() => new TrainingConfig { TargetCost = 0.5 }.Validate(CoreTestModels.Mmoe(16, CoreTestModels.Regression))).Field);
    }
}
