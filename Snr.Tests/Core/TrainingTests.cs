using Xunit.Abstractions;

namespace Snr.Tests.Core;

public class TrainingTests
{
    private readonly ITestOutputHelper _output;

    public TrainingTests(ITestOutputHelper output)
    {
        _output = output;
        Tape.Current.Reset();
    }

    private static readonly TrainingConfig Quick = new()
    {
        Epochs = 8, BatchSize = 64, Seed = 3, ValidationFraction = 0,
        Optimizer = new OptimizerConfig { LearningRate = 0.01f },
    };

    public static TheoryData<string> ModelKinds() => ["shared_bottom", "mmoe", "single_task", "snr_trans", "snr_aver"];

    private static ModelConfig Config(string kind, int d, TaskConfig[] tasks, ulong seed = 1) => kind switch
    {
        "shared_bottom" => CoreTestModels.SharedBottom(d, tasks, seed),
        "mmoe" => CoreTestModels.Mmoe(d, tasks, seed),
        "single_task" => CoreTestModels.SingleTask(d, tasks, seed),
        "snr_trans" => CoreTestModels.SnrTrans(d, tasks, seed),
        _ => CoreTestModels.SnrAver(d, tasks, seed),
    };

    [Theory]
    [MemberData(nameof(ModelKinds))]
    public void Every_model_learns_the_synthetic_regression_well_below_the_mean_predictor(string kind)
    {
        var train = SyntheticMmoeData.Generate(2000, 0.5, problemSeed: 1, rowSeed: 2, CoreTestModels.SmallSynthetic);
        var validation = SyntheticMmoeData.Generate(500, 0.5, problemSeed: 1, rowSeed: 3, CoreTestModels.SmallSynthetic);
        var model = ModelFactory.Create(Config(kind, 16, CoreTestModels.Regression));
        var history = new Trainer(model, Quick).Fit(train, validation);
        var last = history.Epochs[^1].Validation;
        for (int t = 0; t < 2; t++)
        {
            double meanMse = Variance(validation.Labels(t));   // the loss of predicting the mean
            _output.WriteLine($"{kind} task {t + 1}: validation MSE {last[t].Mse:F4}, predicting the mean {meanMse:F4} ({model.ParameterCount} parameters)");
            Assert.True(last[t].Mse < 0.35 * meanMse, $"{kind} task {t}: validation MSE {last[t].Mse:F3} vs {meanMse:F3} for the mean");
        }
    }

    [Theory]
    [InlineData("snr_trans")]
    [InlineData("mmoe")]
    public void Binary_tasks_train_well_below_the_base_rate_log_loss(string kind)
    {
        var data = CoreTestModels.BinaryData(2400, 8, seed: 4);
        var model = ModelFactory.Create(Config(kind, 8, CoreTestModels.Binary));
        var history = new Trainer(model, Quick with { ValidationFraction = 0.2 }).Fit(data);
        foreach (var m in history.Epochs[^1].Validation)
        {
            var labels = data.Labels(data.TaskIndex(m.Task)).ToArray();
            double rate = labels.Average(), baseline = -(rate * Math.Log(rate) + (1 - rate) * Math.Log(1 - rate));
            _output.WriteLine($"{kind} {m.Task}: log loss {m.LogLoss:F4} (base rate {baseline:F4}), AUC {m.Auc:F4}");
            Assert.True(m.LogLoss < 0.6 * baseline, $"{kind} {m.Task}: log loss {m.LogLoss:F3} vs base rate {baseline:F3}");
            Assert.True(m.Auc > 0.9, $"{kind} {m.Task}: AUC {m.Auc:F3}");
        }
    }

    [Fact]
    public void Sgd_with_momentum_trains_too()
    {
        var train = SyntheticMmoeData.Generate(2000, 0.5, problemSeed: 1, rowSeed: 2, CoreTestModels.SmallSynthetic);
        var validation = SyntheticMmoeData.Generate(500, 0.5, problemSeed: 1, rowSeed: 3, CoreTestModels.SmallSynthetic);
        var model = ModelFactory.Create(CoreTestModels.SharedBottom(16, CoreTestModels.Regression));
        var config = Quick with { Optimizer = new() { Kind = OptimizerKind.Sgd, LearningRate = 0.005f, Momentum = 0.9f }, MaxGradNorm = 5f };
        var history = new Trainer(model, config).Fit(train, validation);
        double meanMse = Variance(validation.Labels(0));
        Assert.True(history.Epochs[^1].Validation[0].Mse < 0.5 * meanMse, $"SGD: validation MSE {history.Epochs[^1].Validation[0].Mse:F3} vs {meanMse:F3}");
    }

    [Fact]
    public void A_larger_l0_penalty_ends_with_more_zero_serving_gates()
    {
        var train = SyntheticMmoeData.Generate(1000, 0.5, problemSeed: 1, rowSeed: 2, CoreTestModels.SmallSynthetic);
        int ZeroGates(float lambda)
        {
            var model = (SnrModel)ModelFactory.Create(CoreTestModels.SnrTrans(16, CoreTestModels.Regression));
            var history = new Trainer(model, Quick with { Epochs = 12, L0Lambda = lambda, Penalty = RoutingPenalty.Connections, GateLearningRate = 0.03f, Optimizer = new() { LearningRate = 0.03f } }).Fit(train);
            Assert.Equal(model.ZeroGateFraction(), history.Epochs[^1].ZeroGateFraction);
            return model.GateTable().Count(r => r.ServingGate == 0f);
        }
        int dense = ZeroGates(0f), sparse = ZeroGates(1f);
        _output.WriteLine($"zero serving gates of 15: λ = 0: {dense}, λ = 1: {sparse}");
        Assert.True(sparse > dense, $"λ = 1 left {sparse} zero gates, λ = 0 left {dense}");
        Assert.True(sparse >= 4, $"only {sparse} of 15 gates are zero with λ = 1");
    }

    [Fact]
    public void The_same_seeds_give_bit_identical_weights()
    {
        var data = SyntheticMmoeData.Generate(600, 0.5, problemSeed: 1, rowSeed: 2, CoreTestModels.SmallSynthetic);
        var config = Quick with { Epochs = 2, ValidationFraction = 0.2, L0Lambda = 0.01f, MaxGradNorm = 1f };
        float[][] Train(ulong trainingSeed)
        {
            var model = ModelFactory.Create(CoreTestModels.SnrTrans(16, CoreTestModels.Regression));
            new Trainer(model, config with { Seed = trainingSeed }).Fit(data);
            return model.Parameters().Select(p => p.Tensor.Data.ToArray()).ToArray();
        }
        var a = Train(5);
        var b = Train(5);
        var c = Train(6);
        for (int i = 0; i < a.Length; i++)
            Assert.True(a[i].AsSpan().SequenceEqual(b[i]), $"parameter {i} differs between two runs with the same seed");
        Assert.Contains(Enumerable.Range(0, a.Length), i => !a[i].AsSpan().SequenceEqual(c[i]));
    }

    [Fact]
    public void Early_stopping_restores_the_best_weights()
    {
        // 60 training rows and a wide model: the validation loss turns up after a few epochs.
        var train = SyntheticMmoeData.Generate(60, 0.5, problemSeed: 1, rowSeed: 2, CoreTestModels.SmallSynthetic);
        var validation = SyntheticMmoeData.Generate(300, 0.5, problemSeed: 1, rowSeed: 3, CoreTestModels.SmallSynthetic);
        var model = ModelFactory.Create(CoreTestModels.SharedBottom(16, CoreTestModels.Regression) with { BottomHidden = [64] });
        var seen = new List<int>();
        var config = Quick with
        {
            Epochs = 300, BatchSize = 16, Optimizer = new() { LearningRate = 0.02f },
            EarlyStopping = new EarlyStoppingConfig { Task = "task1", Metric = ValidationMetric.Mse, Patience = 3 },
        };
        var history = new Trainer(model, config).Fit(train, validation, r => seen.Add(r.Epoch));
        Assert.True(history.StoppedEarly);
        Assert.Equal(Enumerable.Range(1, history.Epochs.Count), seen);
        Assert.Equal(history.BestEpoch + 3, history.Epochs.Count);
        double best = history.Epochs.Min(e => e.Validation[0].Mse!.Value);
        Assert.Equal(best, history.Epochs[history.BestEpoch - 1].Validation[0].Mse);
        Assert.Equal(best, Evaluator.Evaluate(model, validation)[0].Mse!.Value, 12);
    }

    [Fact]
    public void History_records_losses_metrics_and_gate_sparsity_per_epoch()
    {
        var data = CoreTestModels.BinaryData(400, 8, seed: 4);
        var model = ModelFactory.Create(CoreTestModels.SnrTrans(8, CoreTestModels.Binary));
        var history = new Trainer(model, Quick with { Epochs = 2, ValidationFraction = 0.25, LossWeights = new() { ["buy"] = 0.5f } }).Fit(data);
        Assert.Equal(2, history.Epochs.Count);
        Assert.Equal(2, history.BestEpoch);
        var e = history.Epochs[1];
        Assert.Equal(2, e.TrainLoss.Count);
        // total = 1·click + 0.5·buy (λ = 0), averaged over the same rows
        Assert.Equal(e.TrainLoss[0] + 0.5 * e.TrainLoss[1], e.TrainTotalLoss, 4);
        Assert.Equal(["click", "buy"], e.Validation.Select(m => m.Task));
        Assert.NotNull(e.Validation[0].Auc);
        Assert.Null(e.Validation[0].Mse);
        Assert.NotNull(e.ZeroGateFraction);
        Assert.Null(new Trainer(ModelFactory.Create(CoreTestModels.Mmoe(8, CoreTestModels.Binary)), Quick with { Epochs = 1 }).Fit(data).Epochs[0].ZeroGateFraction);
    }

    [Fact]
    public void Mismatched_data_is_rejected()
    {
        var model = ModelFactory.Create(CoreTestModels.SharedBottom(8, CoreTestModels.Regression));
        var wrongWidth = SyntheticMmoeData.Generate(50, 0.5, 1, 2, CoreTestModels.SmallSynthetic);
        Assert.Throws<ArgumentException>(() => new Trainer(model, Quick).Fit(wrongWidth));
        var wrongTasks = CoreTestModels.BinaryData(50, 8, 1);
        Assert.Throws<ArgumentException>(() => new Trainer(model, Quick).Fit(wrongTasks));
    }

    [Theory]
    [MemberData(nameof(ModelKinds))]
    public void A_training_step_allocates_nothing_after_warm_up(string kind)
    {
        var model = ModelFactory.Create(Config(kind, 8, CoreTestModels.Binary));
        var step = new TrainingStep(model, new Adam(model.Parameters(), weightDecay: 1e-4f), [1f, 0.5f], l0Lambda: 1e-3f, maxGradNorm: 1f);
        var x = Snr.Tests.Support.TestData.Normal(Shape.Matrix(32, 8), 5, requiresGrad: false);
        var targets = new[] { Tensor.Zeros(32, 1), Tensor.Zeros(32, 1) };
        targets[0].Data.Fill(1f);
        var losses = new float[2];
        // Warm-up: the first steps grow the tape's pools, the gradients and the kernels' per-thread scratch
        // (and run while the JIT is still re-compiling hot methods). The routed kernel's scratch grows with the
        // number of live blocks, so SNR warms up with every gate open (log_alpha = 10), then samples gates
        // around log_alpha = 0, where some come out exactly 0 and whole sub-networks are skipped.
        var logAlphas = model.Parameters().Where(p => p.Name.EndsWith("log_alpha", StringComparison.Ordinal)).ToArray();
        foreach (var p in logAlphas) p.Tensor.Data.Fill(10f);
        for (int i = 0; i < 10; i++) step.Run(x, targets, losses);
        foreach (var p in logAlphas) p.Tensor.Data.Fill(0f);
        SteadyState.AssertAllocatesNothing(() =>
        {
            for (int i = 0; i < 20; i++) step.Run(x, targets, losses);
        });
    }

    private static double Variance(ReadOnlySpan<float> values)
    {
        double mean = 0, sq = 0;
        foreach (float v in values) mean += v;
        mean /= values.Length;
        foreach (float v in values) sq += (v - mean) * (v - mean);
        return sq / values.Length;
    }
}
