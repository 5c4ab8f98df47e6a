namespace Snr.Core.Training;

/// <summary>
/// Reading the training rows failed during <see cref="Trainer.Fit(Data.IRowStream, Data.IEvaluationRows?, Action{EpochRecord}?, CancellationToken)"/>
/// (a malformed row, a file that changed or could not be read). The model holds the weights of
/// epoch <see cref="TrainingHistory.BestEpoch"/> of <see cref="History"/>: the best so far with
/// early stopping, otherwise the last completed epoch (0: none completed, the initial weights).
/// The inner exception says what failed and where.
/// </summary>
public sealed class TrainingDataException : Exception
{
    /// <summary>Creates the exception for a read that failed after the epochs of <paramref name="history"/>.</summary>
    public TrainingDataException(TrainingHistory history, Exception inner)
        : base($"Reading the training data failed during epoch {history.Epochs.Count + 1}: {inner.Message} The model holds the weights of epoch {history.BestEpoch}.", inner)
    {
        History = history;
    }

    /// <summary>The completed epochs, and in <see cref="TrainingHistory.BestEpoch"/> the epoch whose weights the model holds.</summary>
    public TrainingHistory History { get; }
}
