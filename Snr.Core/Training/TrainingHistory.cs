namespace Snr.Core.Training;

/// <summary>One task's validation numbers after an epoch; metrics that do not apply to the task's kind are null.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Loss">Log loss (binary) or MSE (regression).</param>
/// <param name="Auc">ROC AUC (binary; null when the validation labels have one class only).</param>
/// <param name="LogLoss">Log loss (binary).</param>
/// <param name="Mse">Mean squared error (regression).</param>
/// <param name="Rmse">Root mean squared error (regression).</param>
public sealed record TaskMetrics(string Task, double Loss, double? Auc, double? LogLoss, double? Mse, double? Rmse)
{
    /// <summary>The value of <paramref name="metric"/>.</summary>
    /// <exception cref="InvalidOperationException">The metric does not apply to this task.</exception>
    public double Get(ValidationMetric metric) => metric switch
    {
        ValidationMetric.Loss => Loss,
        ValidationMetric.Auc => Auc,
        ValidationMetric.LogLoss => LogLoss,
        ValidationMetric.Mse => Mse,
        ValidationMetric.Rmse => Rmse,
        _ => null,
    } ?? throw new InvalidOperationException($"{metric} is not available for task '{Task}'.");

    /// <summary>True for metrics where higher is better (AUC).</summary>
    public static bool HigherIsBetter(ValidationMetric metric) => metric == ValidationMetric.Auc;
}

/// <summary>What happened in one epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean unweighted training loss per task (in task order), averaged over the epoch's rows that have the task's label (NaN when none has).</param>
/// <param name="TrainTotalLoss">Mean total training loss (weighted task losses plus λ·penalty).</param>
/// <param name="Validation">Per-task validation metrics, in task order (empty without a validation set).</param>
/// <param name="ZeroGateFraction">For SNR models, the fraction of serving gates that are exactly 0 after the epoch; otherwise null.</param>
/// <param name="Elapsed">Wall time of the epoch, evaluation included.</param>
/// <param name="Routing">For SNR models, the cost of the routing after the epoch; otherwise null.</param>
/// <param name="ValidationElapsed">The part of <paramref name="Elapsed"/> spent evaluating the validation set.</param>
public sealed record EpochRecord(int Epoch, IReadOnlyList<double> TrainLoss, double TrainTotalLoss, IReadOnlyList<TaskMetrics> Validation,
    double? ZeroGateFraction, TimeSpan Elapsed, RoutingEpochStats? Routing = null, TimeSpan ValidationElapsed = default);

/// <summary>The per-epoch record of a training run.</summary>
/// <param name="Epochs">One record per epoch run.</param>
/// <param name="BestEpoch">With early stopping, the epoch whose weights were restored; otherwise the last epoch.</param>
/// <param name="StoppedEarly">True when early stopping ended training before the configured number of epochs.</param>
/// <param name="SkippedBatches">Batches skipped because their loss or gradients were not finite (with SkipNonFiniteBatches).</param>
/// <param name="GateChanges">For SNR models, the serving gates changed after training so that every task keeps a path and the budget is met.</param>
public sealed record TrainingHistory(IReadOnlyList<EpochRecord> Epochs, int BestEpoch, bool StoppedEarly, long SkippedBatches = 0,
    IReadOnlyList<Routing.GateChange>? GateChanges = null);
