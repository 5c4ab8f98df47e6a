namespace Snr.Core.Data;

/// <summary>
/// An in-memory multi-task dataset: <see cref="Count"/> rows of <see cref="FeatureCount"/> float
/// features (row-major), and one float label per row for each task (0/1 for a binary task, a
/// value for a regression task). Immutable once built; the arrays passed in are copied.
/// </summary>
public sealed class MultiTaskDataset
{
    private readonly float[] _features;
    private readonly float[][] _labels;
    private readonly string[] _taskNames;

    /// <summary>Creates the dataset.</summary>
    /// <param name="features">Row-major [rows, featureCount].</param>
    /// <param name="featureCount">Features per row (positive).</param>
    /// <param name="taskNames">One name per task, matching the model's tasks.</param>
    /// <param name="labels">labels[task][row].</param>
    /// <exception cref="ArgumentException">The lengths are inconsistent, a task is missing or a value is not finite.</exception>
    public MultiTaskDataset(ReadOnlySpan<float> features, int featureCount, IReadOnlyList<string> taskNames, IReadOnlyList<float[]> labels)
    {
        ArgumentNullException.ThrowIfNull(taskNames);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(featureCount);
        if (features.Length % featureCount != 0)
            throw new ArgumentException($"{features.Length} feature values do not make rows of {featureCount}.", nameof(features));
        if (taskNames.Count == 0) throw new ArgumentException("At least one task is needed.", nameof(taskNames));
        if (labels.Count != taskNames.Count)
            throw new ArgumentException($"{labels.Count} label arrays for {taskNames.Count} tasks.", nameof(labels));
        int rows = features.Length / featureCount;
        for (int t = 0; t < labels.Count; t++)
        {
            if (labels[t] is null || labels[t].Length != rows)
                throw new ArgumentException($"Task '{taskNames[t]}' has {labels[t]?.Length ?? 0} labels for {rows} rows.", nameof(labels));
            for (int r = 0; r < rows; r++)
                if (!float.IsFinite(labels[t][r])) throw new ArgumentException($"Task '{taskNames[t]}', row {r}: label {labels[t][r]} is not finite.", nameof(labels));
        }
        for (int i = 0; i < features.Length; i++)
            if (!float.IsFinite(features[i])) throw new ArgumentException($"Row {i / featureCount}, feature {i % featureCount}: {features[i]} is not finite.", nameof(features));
        _features = features.ToArray();
        _labels = labels.Select(l => (float[])l.Clone()).ToArray();
        _taskNames = [.. taskNames];
        FeatureCount = featureCount;
        Count = rows;
    }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>Features per row.</summary>
    public int FeatureCount { get; }

    /// <summary>Task names, in label order.</summary>
    public IReadOnlyList<string> TaskNames => _taskNames;

    /// <summary>All features, row-major [Count, FeatureCount].</summary>
    public ReadOnlySpan<float> Features => _features;

    /// <summary>Row <paramref name="row"/>'s features.</summary>
    public ReadOnlySpan<float> Row(int row) => _features.AsSpan(row * FeatureCount, FeatureCount);

    /// <summary>Task <paramref name="task"/>'s labels, one per row.</summary>
    public ReadOnlySpan<float> Labels(int task) => _labels[task];

    /// <summary>The index of the task named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such task.</exception>
    public int TaskIndex(string name)
    {
        int i = Array.IndexOf(_taskNames, name);
        return i >= 0 ? i : throw new KeyNotFoundException($"The dataset has no task '{name}' (tasks: {string.Join(", ", _taskNames)}).");
    }

    /// <summary>Copies the features of the given rows into <paramref name="destination"/> ([rows.Length, FeatureCount]). Allocates nothing.</summary>
    /// <exception cref="ArgumentException">The destination has the wrong length.</exception>
    public void CopyFeatures(ReadOnlySpan<int> rows, Span<float> destination)
    {
        if (destination.Length != rows.Length * FeatureCount)
            throw new ArgumentException($"The feature buffer holds {destination.Length} values; {rows.Length} rows need {rows.Length * FeatureCount}.", nameof(destination));
        for (int i = 0; i < rows.Length; i++)
            Row(rows[i]).CopyTo(destination.Slice(i * FeatureCount, FeatureCount));
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

    /// <summary>A new dataset of the given rows, in that order.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index is out of range.</exception>
    public MultiTaskDataset Subset(ReadOnlySpan<int> rows)
    {
        var features = new float[rows.Length * FeatureCount];
        var labels = new float[_labels.Length][];
        for (int t = 0; t < labels.Length; t++) labels[t] = new float[rows.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            if ((uint)rows[i] >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(rows), $"Row {rows[i]} is outside a dataset of {Count} rows.");
            Row(rows[i]).CopyTo(features.AsSpan(i * FeatureCount));
            for (int t = 0; t < labels.Length; t++) labels[t][i] = _labels[t][rows[i]];
        }
        return new MultiTaskDataset(features, FeatureCount, _taskNames, labels);
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
