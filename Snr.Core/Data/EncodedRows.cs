namespace Snr.Core.Data;

/// <summary>
/// A growable block of encoded rows in the models' input layout: numeric inputs and category
/// indices row-major, the labels row-major [rows, tasks] (NaN where missing), and a weight per row.
/// Cleared and refilled chunk after chunk, so its arrays are allocated once.
/// </summary>
internal sealed class EncodedRows
{
    private float[] _numeric = [];
    private int[] _categorical = [];
    private float[] _labels = [];
    private float[] _weights = [];

    public EncodedRows(int numericCount, int categoricalCount, int taskCount)
    {
        NumericCount = numericCount;
        CategoricalCount = categoricalCount;
        TaskCount = taskCount;
    }

    public int NumericCount { get; }

    public int CategoricalCount { get; }

    public int TaskCount { get; }

    /// <summary>The number of rows held.</summary>
    public int Count { get; private set; }

    public void Clear()
    {
        Count = 0;
    }

    /// <summary>Appends a row (weight 1) and returns its index; fill it through the row spans.</summary>
    public int AddRow()
    {
        if (Count == _weights.Length) Grow();
        _weights[Count] = 1f;
        return Count++;
    }

    public Span<float> Numeric(int row) => _numeric.AsSpan(row * NumericCount, NumericCount);

    public Span<int> Categorical(int row) => _categorical.AsSpan(row * CategoricalCount, CategoricalCount);

    public Span<float> Labels(int row) => _labels.AsSpan(row * TaskCount, TaskCount);

    public float Weight(int row) => _weights[row];

    public void SetWeight(int row, float weight) => _weights[row] = weight;

    /// <summary>Copies row <paramref name="sourceRow"/> of <paramref name="source"/> over row <paramref name="row"/> of this block (same layout).</summary>
    public void CopyRow(EncodedRows source, int sourceRow, int row) =>
        SetWeight(row, source.CopyRow(sourceRow, Numeric(row), Categorical(row), Labels(row)));

    /// <summary>Copies row <paramref name="row"/> into the row spans of a batch and returns its weight.</summary>
    public float CopyRow(int row, Span<float> numeric, Span<int> categorical, Span<float> labels)
    {
        Numeric(row).CopyTo(numeric);
        Categorical(row).CopyTo(categorical);
        Labels(row).CopyTo(labels);
        return _weights[row];
    }

    /// <summary>The rows as a dataset, with their row weights when <paramref name="weighted"/>.</summary>
    public MultiTaskDataset ToDataset(IReadOnlyList<string> taskNames, bool weighted)
    {
        var labels = new float[TaskCount][];
        for (int t = 0; t < TaskCount; t++)
        {
            labels[t] = new float[Count];
            for (int r = 0; r < Count; r++) labels[t][r] = _labels[r * TaskCount + t];
        }
        var data = new MultiTaskDataset(_numeric.AsSpan(0, Count * NumericCount), NumericCount, _categorical.AsSpan(0, Count * CategoricalCount), CategoricalCount, taskNames, labels);
        return weighted ? data.WithRowWeights(_weights.AsSpan(0, Count)) : data;
    }

    private void Grow()
    {
        int rows = Math.Max(1024, _weights.Length * 2);
        Array.Resize(ref _numeric, rows * NumericCount);
        Array.Resize(ref _categorical, rows * CategoricalCount);
        Array.Resize(ref _labels, rows * TaskCount);
        Array.Resize(ref _weights, rows);
    }
}
