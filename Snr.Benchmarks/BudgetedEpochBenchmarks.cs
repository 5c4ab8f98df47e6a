using BenchmarkDotNet.Attributes;
using Snr.Core.Data;
using Snr.Core.Models;
using Snr.Core.Routing;
using Snr.Core.Tabular;
using Snr.Core.Training;
using Snr.Datasets;

namespace Snr.Benchmarks;

/// <summary>
/// W7 of BENCHMARKS.md, budgeted routing: one training epoch (70 % of the bundled Census-Income rows,
/// batch 256, no validation) of the default SNR-Trans model.
/// <list type="bullet">
/// <item><c>plain</c>: every gate open, no routing penalty and no controller: the epoch a plain dense
/// model pays (gate sampling still runs, as in any SNR training step).</item>
/// <item><c>budget_1</c>, <c>budget_0.5</c>, <c>budget_0.25</c>: the gates first set to the budget's
/// serving pattern (<see cref="RoutingRepair.MeetBudget"/> from open gates), then an epoch with the
/// Lagrangian controller at that target (no warm-up), the expected-cost penalty and its gradient every
/// step, and the log α clamp: what a budgeted epoch pays once the routing has reached its budget.</item>
/// </list>
/// Each iteration trains further from where the previous one ended, so the gates drift a little
/// around the budget; the controller keeps them there.
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*BudgetedEpoch*'</c>.
/// </summary>
[Config(typeof(TrainingStepConfig))]
public class BudgetedEpochBenchmarks
{
    private Trainer _trainer = null!;
    private MultiTaskDataset _train = null!;

    [Params("plain", "budget_1", "budget_0.5", "budget_0.25")]
    public string Workload { get; set; } = "plain";

    [GlobalSetup]
    public void Setup()
    {
        var split = TabularSplit.Create(CensusIncome.Load(), CensusIncome.Schema(1), seed: 1);
        _train = split.Train;
        TaskConfig[] tasks = [new("income"), new("never_married")];
        var model = (SnrModel)ModelFactory.Create(DefaultModels.Create("snr-trans", _train.NumericCount, split.Encoder.EmbeddingConfig(), tasks, seed: 1));
        foreach (var level in model.Levels) level.Gate.LogAlpha.Data.Fill(RoutingRegularizer.LogAlphaBound);
        var config = new TrainingConfig { Epochs = 1, BatchSize = 256, ValidationFraction = 0, L0Lambda = 0, Optimizer = new() { LearningRate = 2e-3f } };
        if (Workload != "plain")
        {
            double budget = double.Parse(Workload["budget_".Length..], System.Globalization.CultureInfo.InvariantCulture);
            var cost = new RoutingCost(model);
            RoutingRepair.MeetBudget(model, cost, budget * cost.Dense, tolerance: 0.1);
            config = config with { TargetCost = budget, BudgetWarmup = 0 };
        }
        _trainer = new Trainer(model, config);
        _trainer.Fit(_train);   // warm the tape's pools and the kernels once
    }

    [Benchmark]
    public int Epoch() => _trainer.Fit(_train).Epochs.Count;
}
