namespace Snr.Core.Data;

/// <summary>
/// The rows of an in-memory dataset in a given order, read in blocks: an epoch of training rows (<see cref="DatasetRows"/>)
/// or the dataset's rows in order for evaluation (<see cref="MultiTaskDataset"/> as <see cref="IEvaluationRows"/>).
/// </summary>
internal sealed class DatasetReader(MultiTaskDataset data, int[] order) : IRowStreamEpoch, IEvaluationReader
{
    private int _next;

    /// <summary>Copies the next rows, at most <c>weights.Length</c> (see <see cref="IEvaluationReader.Read"/>); returns how many.</summary>
    public int Read(Span<float> numeric, Span<int> categorical, Span<float> labels, Span<float> weights)
    {
        ReadOnlySpan<int> rows = order.AsSpan(_next, Math.Min(weights.Length, order.Length - _next));
        _next += rows.Length;
        data.CopyInputs(rows, numeric[..(rows.Length * data.NumericCount)], categorical[..(rows.Length * data.CategoricalCount)]);
        data.CopyRowWeights(rows, weights[..rows.Length]);
        int tasks = data.TaskNames.Count;
        for (int t = 0; t < tasks; t++)
        {
            var taskLabels = data.Labels(t);
            for (int i = 0; i < rows.Length; i++) labels[i * tasks + t] = taskLabels[rows[i]];
        }
        return rows.Length;
    }

    void IRowStreamEpoch.Read(Span<float> numeric, Span<int> categorical, Span<float> labels, Span<float> weights) => Read(numeric, categorical, labels, weights);

    public void Dispose()
    {
    }
}
