namespace Snr.Core.Data;

/// <summary>An in-memory dataset read as <see cref="IEvaluationRows"/>: its rows in order, with its row weights when it has them.</summary>
public sealed class DatasetEvaluationRows : IEvaluationRows
{
    private readonly MultiTaskDataset _data;

    /// <summary>Reads the rows of <paramref name="data"/>.</summary>
    public DatasetEvaluationRows(MultiTaskDataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        _data = data;
    }

    /// <inheritdoc />
    public int NumericCount => _data.NumericCount;

    /// <inheritdoc />
    public int CategoricalCount => _data.CategoricalCount;

    /// <inheritdoc />
    public IReadOnlyList<string> TaskNames => _data.TaskNames;

    /// <inheritdoc />
    public bool HasRowWeights => !_data.RowWeights.IsEmpty;

    /// <inheritdoc />
    public long? Count => _data.Count;

    /// <inheritdoc />
    public IEvaluationReader Open() => new Reader(_data);

    private sealed class Reader(MultiTaskDataset data) : IEvaluationReader
    {
        private int _next;

        public int Read(Span<float> numeric, Span<int> categorical, Span<float> labels, Span<float> weights)
        {
            int start = _next, rows = Math.Min(weights.Length, data.Count - start), n = data.NumericCount, c = data.CategoricalCount, tasks = data.TaskNames.Count;
            data.Numeric.Slice(start * n, rows * n).CopyTo(numeric);
            data.Categorical.Slice(start * c, rows * c).CopyTo(categorical);
            for (int t = 0; t < tasks; t++)
            {
                var taskLabels = data.Labels(t);
                for (int i = 0; i < rows; i++) labels[i * tasks + t] = taskLabels[start + i];
            }
            if (data.RowWeights.IsEmpty) weights[..rows].Fill(1f);
            else data.RowWeights.Slice(start, rows).CopyTo(weights);
            _next += rows;
            return rows;
        }

        public void Dispose()
        {
        }
    }
}
