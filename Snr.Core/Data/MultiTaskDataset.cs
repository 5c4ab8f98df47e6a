namespace Snr.Core.Data;

/// <summary>
/// An in-memory multi-task dataset: <see cref="Count"/> rows of <see cref="NumericCount"/> float inputs and
/// <see cref="CategoricalCount"/> integer category indices (both row-major), and one float label per row for
/// each task (0/1 for a binary task, a value for a regression task). Immutable once built; the arrays passed
/// in are copied. A label may be NaN: the row's label for that task is missing, and training and metrics
/// leave the row out of that task (see <see cref="IsMissing"/>). As <see cref="IEvaluationRows"/>, its rows are read in order.
/// </summary>
public sealed class MultiTaskDataset : IEvaluationRows
{
    private readonly float[] _numeric;
    private readonly int[] _categorical;
    private readonly float[][] _labels;
    private readonly string[] _taskNames;
    private float[]? _rowWeights;

    /// <summary>Creates a dataset of numeric and categorical inputs.</summary>
    /// <param name="numeric">Row-major [rows, numericCount].</param>
    /// <param name="numericCount">Numeric inputs per row (may be 0).</param>
    /// <param name="categorical">Row-major [rows, categoricalCount] category indices (non-negative).</param>
    /// <param name="categoricalCount">Categorical inputs per row (may be 0).</param>
    /// <param name="taskNames">One name per task, matching the model's tasks.</param>
    /// <param name="labels">labels[task][row].</param>
    /// <exception cref="ArgumentException">The lengths are inconsistent, a task is missing, an input or label is infinite, an input is NaN, or an index is negative.</exception>
    public MultiTaskDataset(ReadOnlySpan<float> numeric, int numericCount, ReadOnlySpan<int> categorical, int categoricalCount,
        IReadOnlyList<string> taskNames, IReadOnlyList<float[]> labels)
    {
        ArgumentNullException.ThrowIfNull(taskNames);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegative(numericCount);
        ArgumentOutOfRangeException.ThrowIfNegative(categoricalCount);
        if (numericCount + categoricalCount == 0) throw new ArgumentException("A row needs at least one input.", nameof(numericCount));
        if (taskNames.Count == 0) throw new ArgumentException("At least one task is needed.", nameof(taskNames));
        if (labels.Count != taskNames.Count)
            throw new ArgumentException($"{labels.Count} label arrays for {taskNames.Count} tasks.", nameof(labels));
        int rows = labels[0]?.Length ?? 0;
        if (numeric.Length != rows * numericCount)
            throw new ArgumentException($"{numeric.Length} numeric values do not make {rows} rows of {numericCount}.", nameof(numeric));
        if (categorical.Length != rows * categoricalCount)
            throw new ArgumentException($"{categorical.Length} category indices do not make {rows} rows of {categoricalCount}.", nameof(categorical));
        for (int t = 0; t < labels.Count; t++)
        {
            if (labels[t] is null || labels[t].Length != rows)
                throw new ArgumentException($"Task '{taskNames[t]}' has {labels[t]?.Length ?? 0} labels for {rows} rows.", nameof(labels));
            for (int r = 0; r < rows; r++)
                if (float.IsInfinity(labels[t][r])) throw new ArgumentException($"Task '{taskNames[t]}', row {r}: label {labels[t][r]} is not finite (NaN marks a missing label).", nameof(labels));
        }
        for (int i = 0; i < numeric.Length; i++)
            if (!float.IsFinite(numeric[i])) throw new ArgumentException($"Row {i / numericCount}, numeric input {i % numericCount}: {numeric[i]} is not finite.", nameof(numeric));
        for (int i = 0; i < categorical.Length; i++)
            if (categorical[i] < 0) throw new ArgumentException($"Row {i / categoricalCount}, categorical input {i % categoricalCount}: index {categorical[i]} is negative.", nameof(categorical));
        _numeric = numeric.ToArray();
        _categorical = categorical.ToArray();
        _labels = labels.Select(l => (float[])l.Clone()).ToArray();
        _taskNames = [.. taskNames];
        NumericCount = numericCount;
        CategoricalCount = categoricalCount;
        Count = rows;
    }

    /// <summary>Creates a dataset whose inputs are all numeric: <paramref name="features"/> is [rows, featureCount].</summary>
    /// <exception cref="ArgumentException">The lengths are inconsistent, a task is missing or a value is not finite.</exception>
    public MultiTaskDataset(ReadOnlySpan<float> features, int featureCount, IReadOnlyList<string> taskNames, IReadOnlyList<float[]> labels)
        : this(features, featureCount, ReadOnlySpan<int>.Empty, 0, taskNames, labels)
    {
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>Numeric inputs per row.</summary>
    public int NumericCount { get; }

    /// <summary>Categorical inputs (category indices) per row.</summary>
    public int CategoricalCount { get; }

    /// <summary>Task names, in label order.</summary>
    public IReadOnlyList<string> TaskNames => _taskNames;

    /// <summary>All numeric inputs, row-major [Count, NumericCount].</summary>
    public ReadOnlySpan<float> Numeric => _numeric;

    /// <summary>All category indices, row-major [Count, CategoricalCount].</summary>
    public ReadOnlySpan<int> Categorical => _categorical;

    /// <summary>Task <paramref name="task"/>'s labels, one per row.</summary>
    public ReadOnlySpan<float> Labels(int task) => _labels[task];

    /// <summary>The weight of each row in the loss and the metrics; empty when every row weighs 1 (see <see cref="WithRowWeights"/>).</summary>
    public ReadOnlySpan<float> RowWeights => _rowWeights;

    /// <summary>True when the rows carry weights (<see cref="RowWeights"/> is not empty).</summary>
    public bool HasRowWeights => _rowWeights is not null;

    long? IEvaluationRows.Count => Count;

    IEvaluationReader IEvaluationRows.Open() => new DatasetReader(this, [.. Enumerable.Range(0, Count)]);

    /// <summary>A copy of this dataset whose rows carry the given weights (for example a survey's sampling weights).</summary>
    /// <exception cref="ArgumentException">Not one weight per row, or a weight that is negative or not finite.</exception>
    public MultiTaskDataset WithRowWeights(ReadOnlySpan<float> weights)
    {
        if (weights.Length != Count) throw new ArgumentException($"{weights.Length} row weights for {Count} rows.", nameof(weights));
        for (int r = 0; r < weights.Length; r++)
            if (!(weights[r] >= 0 && float.IsFinite(weights[r])))
                throw new ArgumentException($"Row {r}: weight {weights[r]} is not a finite non-negative number.", nameof(weights));
        var copy = new MultiTaskDataset(_numeric, NumericCount, _categorical, CategoricalCount, _taskNames, _labels);
        copy._rowWeights = weights.ToArray();
        return copy;
    }

    /// <summary>Copies the weights of the given rows into <paramref name="destination"/> (1 for a dataset without weights). Allocates nothing.</summary>
    /// <exception cref="ArgumentException">The destination has the wrong length.</exception>
    public void CopyRowWeights(ReadOnlySpan<int> rows, Span<float> destination)
    {
        if (destination.Length != rows.Length)
            throw new ArgumentException($"The weight buffer holds {destination.Length} values for {rows.Length} rows.", nameof(destination));
        if (_rowWeights is null) destination.Fill(1f);
        else
            for (int i = 0; i < rows.Length; i++) destination[i] = _rowWeights[rows[i]];
    }

    /// <summary>True for the label value that marks a missing label (NaN): the row contributes no loss, no gradient and no metric to that task.</summary>
    public static bool IsMissing(float label) => float.IsNaN(label);

    /// <summary>The index of the task named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    public int TaskIndex(string name) => TaskIndex(_taskNames, name);

    /// <summary>The index of the task named <paramref name="name"/> among the <paramref name="taskNames"/> of some rows.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    internal static int TaskIndex(IReadOnlyList<string> taskNames, string name)
    {
        for (int t = 0; t < taskNames.Count; t++)
            if (taskNames[t] == name) return t;
        throw new KeyNotFoundException($"The dataset has no task '{name}' (tasks: {string.Join(", ", taskNames)}).");
    }

    /// <summary>
    /// Copies the inputs of the given rows into <paramref name="numeric"/> ([rows.Length, NumericCount]) and
    /// <paramref name="categorical"/> ([rows.Length, CategoricalCount]). Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A destination has the wrong length.</exception>
    public void CopyInputs(ReadOnlySpan<int> rows, Span<float> numeric, Span<int> categorical)
    {
        if (numeric.Length != rows.Length * NumericCount)
            throw new ArgumentException($"The numeric buffer holds {numeric.Length} values; {rows.Length} rows need {rows.Length * NumericCount}.", nameof(numeric));
        if (categorical.Length != rows.Length * CategoricalCount)
            throw new ArgumentException($"The categorical buffer holds {categorical.Length} values; {rows.Length} rows need {rows.Length * CategoricalCount}.", nameof(categorical));
        int n = NumericCount, c = CategoricalCount;
        for (int i = 0; i < rows.Length; i++)
        {
            _numeric.AsSpan(rows[i] * n, n).CopyTo(numeric.Slice(i * n, n));
            _categorical.AsSpan(rows[i] * c, c).CopyTo(categorical.Slice(i * c, c));
        }
    }

    /// <summary>Copies task <paramref name="task"/>'s labels of the given rows into <paramref name="destination"/>. Allocates nothing.</summary>
    /// <exception cref="ArgumentException">The destination has the wrong length.</exception>
    public void CopyLabels(int task, ReadOnlySpan<int> rows, Span<float> destination)
    {
        if (destination.Length != rows.Length)
            throw new ArgumentException($"The label buffer holds {destination.Length} values for {rows.Length} rows.", nameof(destination));
        float[] labels = _labels[task];
        for (int i = 0; i < rows.Length; i++) destination[i] = labels[rows[i]];
    }

    /// <summary>A new dataset of the given rows, in that order (with their weights).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index is out of range.</exception>
    public MultiTaskDataset Subset(ReadOnlySpan<int> rows)
    {
        foreach (int row in rows)
            if ((uint)row >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(rows), $"Row {row} is outside a dataset of {Count} rows.");
        var numeric = new float[rows.Length * NumericCount];
        var categorical = new int[rows.Length * CategoricalCount];
        CopyInputs(rows, numeric, categorical);
        var labels = new float[_labels.Length][];
        for (int t = 0; t < labels.Length; t++)
        {
            labels[t] = new float[rows.Length];
            CopyLabels(t, rows, labels[t]);
        }
        var subset = new MultiTaskDataset(numeric, NumericCount, categorical, CategoricalCount, _taskNames, labels);
        if (_rowWeights is not null)
        {
            subset._rowWeights = new float[rows.Length];
            CopyRowWeights(rows, subset._rowWeights);
        }
        return subset;
    }

    /// <summary>
    /// Splits the rows at random (a seeded permutation) into a training part and a validation
    /// part of round(fraction·Count) rows.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is outside (0, 1) or leaves a part empty.</exception>
    public (MultiTaskDataset Train, MultiTaskDataset Validation) Split(double validationFraction, ulong seed)
    {
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "must be in (0, 1)");
        int validation = (int)Math.Round(validationFraction * Count);
        if (validation == 0 || validation == Count)
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, $"leaves an empty part of a dataset of {Count} rows");
        var order = new int[Count];
        Shuffle.Permutation(order, seed, stream: 0x5_9117);
        return (Subset(order.AsSpan(validation)), Subset(order.AsSpan(0, validation)));
    }
}
