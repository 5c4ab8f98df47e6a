namespace Snr.Distributed;

/// <summary>
/// One worker's share of the training data: for every global step, the rows this worker contributes to
/// that step's global batch. A worker reads only its own shard, so the data never has to pass through
/// the coordinator, and a shard whose worker was lost can be opened again elsewhere at any step.
/// </summary>
/// <remarks>
/// <see cref="DatasetShard"/> serves rows of an in-memory data set; <see cref="StreamingShard"/> streams its part of a
/// training file from disk. Either can start at any step, since <see cref="Read"/> must be able to seek to a step.
/// </remarks>
public interface ITrainingShard
{
    /// <summary>Rows this shard contributes to every global step.</summary>
    int RowsPerStep { get; }

    /// <summary>
    /// Copies the rows of global step <paramref name="step"/> into <paramref name="batch"/> (of
    /// <see cref="RowsPerStep"/> rows): inputs, labels (0 where missing) and per-task row weights (0 where the label is missing).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The step is negative.</exception>
    void Read(long step, ShardBatch batch);
}
