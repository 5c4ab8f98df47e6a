namespace Snr.Core.Data;

/// <summary>An in-memory dataset as a <see cref="IRowStream"/>: each epoch is a seeded permutation of all its rows (stream = the epoch number).</summary>
internal sealed class DatasetRows(MultiTaskDataset data) : IRowStream
{
    private readonly int[] _order = new int[data.Count];

    public int NumericCount => data.NumericCount;

    public int CategoricalCount => data.CategoricalCount;

    public IReadOnlyList<string> TaskNames => data.TaskNames;

    public long Count => data.Count;

    public IRowStreamEpoch Open(int epoch, ulong seed)
    {
        Shuffle.Permutation(_order, seed, stream: (ulong)epoch);
        return new Epoch(data, _order);
    }

    private sealed class Epoch(MultiTaskDataset data, int[] order) : IRowStreamEpoch
    {
        private int _next;

        public void Read(Span<float> numeric, Span<int> categorical, Span<float> labels, Span<float> weights)
        {
            ReadOnlySpan<int> rows = order.AsSpan(_next, weights.Length);
            _next += rows.Length;
            data.CopyInputs(rows, numeric, categorical);
            data.CopyRowWeights(rows, weights);
            int tasks = data.TaskNames.Count;
            for (int t = 0; t < tasks; t++)
            {
                var taskLabels = data.Labels(t);
                for (int i = 0; i < rows.Length; i++) labels[i * tasks + t] = taskLabels[rows[i]];
            }
        }

        public void Dispose()
        {
        }
    }
}
