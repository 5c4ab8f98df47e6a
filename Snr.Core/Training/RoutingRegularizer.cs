using Snr.Autograd;
using Snr.Core.Models;
using Snr.Core.Routing;

namespace Snr.Core.Training;

/// <summary>The routing of an SNR model after an epoch.</summary>
/// <param name="ExpectedCost">The expected serving FLOPs per row under the training gates, as a fraction of the dense model's.</param>
/// <param name="ServingFlopsPerRow">Serving FLOPs per row of the deterministic gates (what the compiled predictor runs).</param>
/// <param name="DenseFlopsPerRow">Serving FLOPs per row with every gate open.</param>
/// <param name="LiveConnections">Connections with a non-zero serving gate that some task reaches.</param>
/// <param name="TotalConnections">All routing connections.</param>
/// <param name="Target">The budget's target at the end of the epoch (a fraction of the dense cost or of all connections), or null without a budget.</param>
/// <param name="Lambda1">The controller's λ₁ (0 without a budget).</param>
/// <param name="Lambda2">The controller's λ₂ (0 without a budget).</param>
public sealed record RoutingEpochStats(double ExpectedCost, long ServingFlopsPerRow, long DenseFlopsPerRow, int LiveConnections, int TotalConnections,
    double? Target, double Lambda1, double Lambda2);

/// <summary>
/// The routing part of an SNR model's training loss, one term per step:
/// <list type="bullet">
/// <item>without a budget, λ·E[C]/C_dense (<see cref="RoutingPenalty.Cost"/>, <see cref="RoutingCost"/> in FLOPs) or
/// λ·Σ P(z ≠ 0) (<see cref="RoutingPenalty.Connections"/>);</item>
/// <item>with a budget (<see cref="TrainingConfig.TargetCost"/> or <see cref="TrainingConfig.TargetConnections"/>), the
/// <see cref="BudgetController"/>'s Lagrangian on the expected cost fraction (or expected live connections / all connections).</item>
/// </list>
/// After every epoch it reconnects any task left without a path; after training it moves the serving gates into ±10 % of the budget.
/// </summary>
public sealed class RoutingRegularizer
{
    /// <summary>The tolerance of the final serving cost around the budget.</summary>
    public const double BudgetTolerance = 0.1;

    private readonly SnrModel _model;
    private readonly float _lambda;
    private readonly RoutingPenalty _penalty;
    private readonly RoutingCost _flops, _connections;
    private readonly RoutingCost? _budgeted;
    private readonly Tensor _scale = Tensor.Zeros(Shape.Scalar);

    /// <summary>Creates the regulariser for a run of <paramref name="stepsPerEpoch"/>·epochs steps.</summary>
    /// <exception cref="ConfigException">The budget is below the smallest one that keeps a path into every task (the message gives that smallest budget).</exception>
    public RoutingRegularizer(SnrModel model, TrainingConfig config, long stepsPerEpoch)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        _model = model;
        _lambda = config.L0Lambda;
        _penalty = config.Penalty;
        _flops = new RoutingCost(model, RoutingCostUnit.Flops);
        _connections = new RoutingCost(model, RoutingCostUnit.Connections);
        double? target = null;
        if (config.TargetCost is { } fraction)
        {
            _budgeted = _flops;
            target = fraction;
            double smallest = _flops.MinimalFeasible / _flops.Dense;
            if (fraction < smallest)
                throw new ConfigException("target_cost", $"{fraction:G4} cannot be met without cutting a task off; the smallest feasible budget is {Math.Ceiling(smallest * 1000) / 1000:0.###} of the dense cost");
        }
        else if (config.TargetConnections is { } k)
        {
            _budgeted = _connections;
            target = k / _connections.Dense;
            if (k < _connections.MinimalFeasible)
                throw new ConfigException("target_connections", $"{k} cannot be met without cutting a task off; the smallest feasible budget is {_connections.MinimalFeasible} connections");
            if (k > _connections.Dense)
                throw new ConfigException("target_connections", $"{k} is more than the model's {_connections.Dense} connections");
        }
        if (target is { } t)
        {
            WarmupEpochs = (int)Math.Ceiling(config.BudgetWarmup * config.Epochs);
            Controller = new BudgetController(t, WarmupEpochs * stepsPerEpoch, config.BudgetLearningRate);
        }
    }

    /// <summary>The budget's controller, or null without a budget.</summary>
    public BudgetController? Controller { get; }

    /// <summary>Epochs during which the budget's target still falls (0 without a budget).</summary>
    public int WarmupEpochs { get; }

    /// <summary>The serving-FLOPs cost of the model.</summary>
    public RoutingCost Flops => _flops;

    /// <summary>This step's routing term of the loss (null when there is none), recorded on the current tape.</summary>
    public Tensor? Term()
    {
        if (Controller is not null)
        {
            var cost = _budgeted!.ExpectedTensor();
            _scale.Data[0] = (float)(1 / _budgeted.Dense);
            return Controller.Term(Ops.Multiply(cost, _scale));
        }
        if (_lambda == 0) return null;
        if (_penalty == RoutingPenalty.Connections) return _model.Penalty() is { } l0 ? Ops.Scale(l0, _lambda) : null;
        return Ops.Scale(_flops.ExpectedTensor(), (float)(_lambda / _flops.Dense));
    }

    /// <summary>
    /// The range log α is kept in after every step, [−<see cref="LogAlphaBound"/>, <see cref="LogAlphaBound"/>]
    /// (CoFi pruning, Xia et al. 2022, clamps to ±log 100): P(z ≠ 0) then stays between about 0.04 and 0.998,
    /// so a gate the penalty closed can still be reopened by the task loss and the controller, instead of
    /// saturating where its gradient q(1 − q) vanishes. The serving gate is exactly 0 below −2.4 and 1 above 2.4.
    /// </summary>
    public const float LogAlphaBound = 4.6f;

    /// <summary>Clamps every free log α into ±<see cref="LogAlphaBound"/>; call after each optimiser step.</summary>
    public void AfterStep()
    {
        foreach (var level in _model.Levels)
            foreach (ref float a in level.Gate.LogAlpha.Data) a = Math.Clamp(a, -LogAlphaBound, LogAlphaBound);
    }

    /// <summary>Reconnects every task left without a path (see <see cref="RoutingRepair.ConnectEveryTask"/>); call after each epoch.</summary>
    public IReadOnlyList<GateChange> EndEpoch() => RoutingRepair.ConnectEveryTask(_model);

    /// <summary>The routing now.</summary>
    public RoutingEpochStats Stats() => new(
        _flops.Expected() / _flops.Dense, (long)Math.Round(_flops.Serving()), (long)Math.Round(_flops.Dense),
        (int)Math.Round(_connections.Serving()), (int)Math.Round(_connections.Dense),
        Controller?.Target, Controller?.Lambda1 ?? 0, Controller?.Lambda2 ?? 0);

    /// <summary>
    /// After training: reconnects every task, then, with a budget, moves the serving cost within
    /// ±<see cref="BudgetTolerance"/> of it (<see cref="RoutingRepair.MeetBudget"/>).
    /// </summary>
    /// <returns>Every gate changed.</returns>
    public IReadOnlyList<GateChange> Finish()
    {
        var changes = new List<GateChange>(RoutingRepair.ConnectEveryTask(_model));
        if (Controller is not null)
            changes.AddRange(RoutingRepair.MeetBudget(_model, _budgeted!, Controller.FinalTarget * _budgeted!.Dense, BudgetTolerance));
        return changes;
    }
}
