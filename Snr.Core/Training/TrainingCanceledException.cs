namespace Snr.Core.Training;

/// <summary>
/// <see cref="Trainer"/>'s Fit was cancelled. The model holds the weights of epoch
/// <see cref="TrainingHistory.BestEpoch"/> of <see cref="History"/>: the best so far with early
/// stopping, otherwise the last completed epoch (0: no epoch completed, the initial weights).
/// </summary>
public sealed class TrainingCanceledException : OperationCanceledException
{
    /// <summary>Creates the exception for a run cancelled through <paramref name="token"/> after the epochs of <paramref name="history"/>.</summary>
    public TrainingCanceledException(TrainingHistory history, CancellationToken token)
        : base($"Training was cancelled after {history.Epochs.Count} complete epoch(s); the model holds the weights of epoch {history.BestEpoch}.", token)
    {
        History = history;
    }

    /// <summary>The completed epochs, and in <see cref="TrainingHistory.BestEpoch"/> the epoch whose weights the model holds.</summary>
    public TrainingHistory History { get; }
}
