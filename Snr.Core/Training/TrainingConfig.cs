using Snr.Core.Models;
using Snr.Core.Modules;

namespace Snr.Core.Training;

/// <summary>The optimisers.</summary>
public enum OptimizerKind
{
    /// <summary><see cref="Training.Adam"/>.</summary>
    Adam,

    /// <summary><see cref="Training.Sgd"/> with momentum.</summary>
    Sgd,
}

/// <summary>Which validation number early stopping watches.</summary>
public enum ValidationMetric
{
    /// <summary>The task's loss (log loss for binary, MSE for regression); lower is better.</summary>
    Loss,

    /// <summary>ROC AUC (binary tasks); higher is better.</summary>
    Auc,

    /// <summary>Log loss (binary tasks); lower is better.</summary>
    LogLoss,

    /// <summary>Mean squared error; lower is better.</summary>
    Mse,

    /// <summary>Root mean squared error; lower is better.</summary>
    Rmse,
}

/// <summary>What the λ of <see cref="TrainingConfig.L0Lambda"/> weighs.</summary>
public enum RoutingPenalty
{
    /// <summary>The expected serving FLOPs per row as a fraction of the dense model's (see <see cref="Routing.RoutingCost"/>).</summary>
    Cost,

    /// <summary>The expected number of non-zero gates, Σ P(z ≠ 0) (the L0 norm of Louizos et al.).</summary>
    Connections,
}

/// <summary>An optimiser and its hyper-parameters.</summary>
public sealed record OptimizerConfig
{
    /// <summary>Adam (default) or SGD.</summary>
    public OptimizerKind Kind { get; set; } = OptimizerKind.Adam;

    /// <summary>The learning rate (default 1e-3; the <c>snr</c> command line uses 2e-3).</summary>
    public float LearningRate { get; set; } = 1e-3f;

    /// <summary>Adam's β1.</summary>
    public float Beta1 { get; set; } = 0.9f;

    /// <summary>Adam's β2.</summary>
    public float Beta2 { get; set; } = 0.999f;

    /// <summary>Adam's ε.</summary>
    public float Epsilon { get; set; } = 1e-8f;

    /// <summary>SGD's momentum μ.</summary>
    public float Momentum { get; set; } = 0.9f;

    /// <summary>L2 weight decay on weight matrices (see <see cref="Optimizer"/>).</summary>
    public float WeightDecay { get; set; }

    /// <summary>Creates the optimiser over <paramref name="parameters"/>.</summary>
    /// <exception cref="ConfigException">A hyper-parameter is out of range (the field is named <c>optimizer.…</c>).</exception>
    public Optimizer Create(IReadOnlyList<NamedParameter> parameters)
    {
        Validate();
        return Kind == OptimizerKind.Adam
            ? new Adam(parameters, LearningRate, Beta1, Beta2, Epsilon, WeightDecay)
            : new Sgd(parameters, LearningRate, Momentum, WeightDecay);
    }

    /// <summary>Checks the fields.</summary>
    /// <exception cref="ConfigException">A field is out of range.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind)) throw new ConfigException("optimizer.kind", $"unknown optimiser {(int)Kind}");
        if (!(LearningRate > 0 && float.IsFinite(LearningRate))) throw new ConfigException("optimizer.learning_rate", $"must be positive, got {LearningRate}");
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ConfigException("optimizer.beta1", $"must be in [0, 1), got {Beta1}");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ConfigException("optimizer.beta2", $"must be in [0, 1), got {Beta2}");
        if (!(Epsilon > 0)) throw new ConfigException("optimizer.epsilon", $"must be positive, got {Epsilon}");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ConfigException("optimizer.momentum", $"must be in [0, 1), got {Momentum}");
        if (!(WeightDecay >= 0)) throw new ConfigException("optimizer.weight_decay", $"must be non-negative, got {WeightDecay}");
    }
}

/// <summary>Stop when a task's validation metric has not improved for <see cref="Patience"/> epochs, and restore the best weights.</summary>
public sealed record EarlyStoppingConfig
{
    /// <summary>The task whose validation metric is watched.</summary>
    public string Task { get; set; } = "";

    /// <summary>The metric watched.</summary>
    public ValidationMetric Metric { get; set; } = ValidationMetric.Loss;

    /// <summary>Epochs without improvement before stopping (at least 1).</summary>
    public int Patience { get; set; } = 3;

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; set; }

    /// <summary>True when <paramref name="value"/> of <see cref="Metric"/> improves on <paramref name="best"/> by more than <see cref="MinDelta"/> (false when either is NaN).</summary>
    public bool Improves(double value, double best) => TaskMetrics.HigherIsBetter(Metric) ? value > best + MinDelta : value < best - MinDelta;
}

/// <summary>How to train a model: schedule, optimiser, loss weights, λ and early stopping.</summary>
public sealed record TrainingConfig
{
    /// <summary>Passes over the training data (at most; early stopping may end sooner).</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Rows per mini-batch (the last batch of an epoch may be smaller).</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>The seed of the validation split and of the shuffling.</summary>
    public ulong Seed { get; set; }

    /// <summary>The fraction of rows held out for validation when no validation set is given (0: none).</summary>
    public double ValidationFraction { get; set; } = 0.1;

    /// <summary>The optimiser.</summary>
    public OptimizerConfig Optimizer { get; set; } = new();

    /// <summary>Per-task loss weights by task name; tasks not listed weigh 1.</summary>
    public Dictionary<string, float> LossWeights { get; set; } = [];

    /// <summary>
    /// λ, the weight of the routing penalty of SNR models (see <see cref="Penalty"/>). Like every term
    /// of the loss it is charged per training row: the step's loss is the batch mean of
    /// Σ_t w_t·loss_t(row) + λ·penalty, so its gradient does not depend on the batch size or the data size.
    /// </summary>
    public float L0Lambda { get; set; }

    /// <summary>What λ weighs: the expected serving cost (default) or the expected number of non-zero gates.</summary>
    public RoutingPenalty Penalty { get; set; } = RoutingPenalty.Cost;

    /// <summary>The learning rate of the gate parameters (log α), their own optimiser group (never weight-decayed).</summary>
    public float GateLearningRate { get; set; } = 0.03f;

    /// <summary>A serving-FLOPs budget as a fraction of the dense model's (0, 1], reached by <see cref="BudgetController"/>; null: none.</summary>
    public double? TargetCost { get; set; }

    /// <summary>A budget of live routing connections, reached by <see cref="BudgetController"/>; null: none.</summary>
    public int? TargetConnections { get; set; }

    /// <summary>The fraction of the epochs over which a budget's target falls from 1 to its final value.</summary>
    public double BudgetWarmup { get; set; } = 0.5;

    /// <summary>η, the ascent step of the budget controller's multipliers λ₁ and λ₂.</summary>
    public float BudgetLearningRate { get; set; } = 0.2f;

    /// <summary>Clip the global gradient norm to this value (0: no clipping).</summary>
    public float MaxGradNorm { get; set; }

    /// <summary>Skip and count a batch whose loss or gradients are NaN or infinite, instead of stopping with <see cref="NonFiniteTrainingException"/>.</summary>
    public bool SkipNonFiniteBatches { get; set; }

    /// <summary>Early stopping, or null to train every epoch (and keep the last weights).</summary>
    public EarlyStoppingConfig? EarlyStopping { get; set; }

    /// <summary>Checks every field against the model's tasks; the exception names the offending field.</summary>
    /// <exception cref="ConfigException">A field is out of range or names an unknown task.</exception>
    public void Validate(ModelConfig model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (Epochs <= 0) throw new ConfigException("epochs", $"must be positive, got {Epochs}");
        if (BatchSize <= 0) throw new ConfigException("batch_size", $"must be positive, got {BatchSize}");
        if (!(ValidationFraction >= 0 && ValidationFraction < 1)) throw new ConfigException("validation_fraction", $"must be in [0, 1), got {ValidationFraction}");
        if (Optimizer is null) throw new ConfigException("optimizer", "is null");
        Optimizer.Validate();
        if (!(L0Lambda >= 0 && float.IsFinite(L0Lambda))) throw new ConfigException("l0_lambda", $"must be non-negative, got {L0Lambda}");
        if (!Enum.IsDefined(Penalty)) throw new ConfigException("penalty", $"unknown penalty {(int)Penalty}");
        if (!(GateLearningRate > 0 && float.IsFinite(GateLearningRate))) throw new ConfigException("gate_learning_rate", $"must be positive, got {GateLearningRate}");
        if (TargetCost is { } cost && !(cost > 0 && cost <= 1)) throw new ConfigException("target_cost", $"must be a fraction of the dense cost in (0, 1], got {cost}");
        if (TargetConnections is { } k && k <= 0) throw new ConfigException("target_connections", $"must be positive, got {k}");
        if (TargetCost is not null && TargetConnections is not null) throw new ConfigException("target_connections", "give target_cost or target_connections, not both");
        if ((TargetCost is not null || TargetConnections is not null) && model is not SnrConfig)
            throw new ConfigException(TargetCost is not null ? "target_cost" : "target_connections", "a budget applies to SNR models only");
        if (!(BudgetWarmup >= 0 && BudgetWarmup <= 1)) throw new ConfigException("budget_warmup", $"must be in [0, 1], got {BudgetWarmup}");
        if (!(BudgetLearningRate > 0 && float.IsFinite(BudgetLearningRate))) throw new ConfigException("budget_learning_rate", $"must be positive, got {BudgetLearningRate}");
        if (!(MaxGradNorm >= 0 && float.IsFinite(MaxGradNorm))) throw new ConfigException("max_grad_norm", $"must be non-negative (0 = off), got {MaxGradNorm}");
        if (LossWeights is not null)
            foreach (var (task, weight) in LossWeights)
            {
                if (!Array.Exists(model.Tasks, t => t.Name == task)) throw new ConfigException($"loss_weights.{task}", "names no task of the model");
                if (!(weight >= 0 && float.IsFinite(weight))) throw new ConfigException($"loss_weights.{task}", $"must be non-negative, got {weight}");
            }
        if (EarlyStopping is { } es)
        {
            int t = Array.FindIndex(model.Tasks, x => x.Name == es.Task);
            if (t < 0) throw new ConfigException("early_stopping.task", $"'{es.Task}' names no task of the model");
            if (!Enum.IsDefined(es.Metric)) throw new ConfigException("early_stopping.metric", $"unknown metric {(int)es.Metric}");
            bool binary = model.Tasks[t].Kind == TaskKind.Binary;
            if (binary && es.Metric is ValidationMetric.Mse or ValidationMetric.Rmse || !binary && es.Metric is ValidationMetric.Auc or ValidationMetric.LogLoss)
                throw new ConfigException("early_stopping.metric", $"{es.Metric} does not apply to the {model.Tasks[t].Kind.ToString().ToLowerInvariant()} task '{es.Task}'");
            if (es.Patience <= 0) throw new ConfigException("early_stopping.patience", $"must be positive, got {es.Patience}");
            if (!(es.MinDelta >= 0)) throw new ConfigException("early_stopping.min_delta", $"must be non-negative, got {es.MinDelta}");
        }
    }

    /// <summary>The loss weight of each of the model's tasks, in task order.</summary>
    public float[] TaskWeights(ModelConfig model)
    {
        var weights = new float[model.Tasks.Length];
        for (int t = 0; t < weights.Length; t++)
            weights[t] = LossWeights is not null && LossWeights.TryGetValue(model.Tasks[t].Name, out float w) ? w : 1f;
        return weights;
    }
}
