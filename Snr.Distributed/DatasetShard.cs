using Snr.Core.Data;
using Snr.Core.Models;

namespace Snr.Distributed;

/// <summary>
/// Shard <c>rank</c> of <c>workers</c> of an in-memory data set: the rows i ≡ rank (mod workers), visited in a
/// seeded order that is reshuffled every pass over the shard. Global step k takes this shard's next
/// <see cref="RowsPerStep"/> rows, so the global batch of step k is the union of every shard's part.
/// </summary>
public sealed class DatasetShard : ITrainingShard
{
    private readonly MultiTaskDataset _data;
    private readonly int[] _rows;      // the dataset rows of this shard
    private readonly int[] _order;     // this pass's order over _rows
    private readonly int[] _picked;
    private readonly int[] _labelColumns;
    private readonly ulong _seed;
    private long _pass = -1;

    /// <summary>Opens the shard.</summary>
    /// <param name="data">The whole training set (every worker sees the same).</param>
    /// <param name="model">The model trained on it (its tasks name the label columns).</param>
    /// <param name="rank">This shard, 0 ≤ rank &lt; workers.</param>
    /// <param name="workers">Shards in all.</param>
    /// <param name="globalBatch">Rows per global step; shard r takes ⌊B/N⌋ rows, plus one when r &lt; B mod N.</param>
    /// <param name="seed">Seed of the per-pass shuffles.</param>
    /// <exception cref="ArgumentOutOfRangeException">The rank is outside [0, workers), or the global batch is smaller than the number of workers.</exception>
    /// <exception cref="ArgumentException">The shard holds fewer rows than it must contribute to one step, or the data lacks a task's labels.</exception>
    public DatasetShard(MultiTaskDataset data, ModelConfig model, int rank, int workers, int globalBatch, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        if (rank < 0 || rank >= workers) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"must be in [0, {workers})");
        if (globalBatch < workers) throw new ArgumentOutOfRangeException(nameof(globalBatch), globalBatch, $"must be at least the {workers} workers");
        RowsPerStep = PartRows(globalBatch, workers, rank);
        _rows = new int[(data.Count - rank + workers - 1) / workers];
        for (int i = 0; i < _rows.Length; i++) _rows[i] = rank + i * workers;
        if (_rows.Length < RowsPerStep)
            throw new ArgumentException($"Shard {rank} of {workers} holds {_rows.Length} rows, fewer than the {RowsPerStep} it must give every step.", nameof(data));
        _labelColumns = new int[model.Tasks.Length];
        for (int t = 0; t < _labelColumns.Length; t++) _labelColumns[t] = data.TaskIndex(model.Tasks[t].Name);
        _data = data;
        _order = new int[_rows.Length];
        _picked = new int[RowsPerStep];
        _seed = seed;
    }

    /// <inheritdoc/>
    public int RowsPerStep { get; }

    /// <summary>The rows worker <paramref name="rank"/> of <paramref name="workers"/> contributes to a global batch of <paramref name="globalBatch"/>.</summary>
    public static int PartRows(int globalBatch, int workers, int rank) => globalBatch / workers + (rank < globalBatch % workers ? 1 : 0);

    /// <inheritdoc/>
    public void Read(long step, ShardBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (batch.Rows != RowsPerStep) throw new ArgumentException($"The batch has {batch.Rows} rows, the shard gives {RowsPerStep}.", nameof(batch));
        // Passes hold whole steps: the rows left over at the end of a pass are skipped (as a drop_last loader does).
        long stepsPerPass = _rows.Length / RowsPerStep;
        long pass = step / stepsPerPass;
        if (pass != _pass)
        {
            Shuffle.Permutation(_order, _seed, stream: (ulong)pass + 1);
            _pass = pass;
        }
        int start = (int)(step % stepsPerPass) * RowsPerStep;
        for (int i = 0; i < RowsPerStep; i++) _picked[i] = _rows[_order[start + i]];
        _data.CopyInputs(_picked, batch.Numeric.Data, batch.Categorical);
        for (int t = 0; t < _labelColumns.Length; t++)
        {
            Span<float> targets = batch.Targets[t].Data, weights = batch.Weights[t].Data;
            _data.CopyLabels(_labelColumns[t], _picked, targets);
            _data.CopyRowWeights(_picked, weights);
            for (int i = 0; i < targets.Length; i++)
                if (MultiTaskDataset.IsMissing(targets[i]))
                {
                    weights[i] = 0f;
                    targets[i] = 0f;
                }
        }
    }
}
