namespace Snr.Core.Data;

/// <summary>
/// Rows to evaluate a model on, read once in order a block at a time, so that a validation or
/// test set need not be in memory (see <see cref="Tabular.StreamingEvaluationRows"/>); an in-memory
/// <see cref="MultiTaskDataset"/> is one too.
/// </summary>
public interface IEvaluationRows
{
    /// <summary>Numeric inputs per row.</summary>
    int NumericCount { get; }

    /// <summary>Categorical inputs (category indices) per row.</summary>
    int CategoricalCount { get; }

    /// <summary>Task names, in label order.</summary>
    IReadOnlyList<string> TaskNames { get; }

    /// <summary>True when the rows carry weights that the metrics are to use; false when every row weighs 1.</summary>
    bool HasRowWeights { get; }

    /// <summary>The number of rows, when it is known before reading them (null otherwise).</summary>
    long? Count { get; }

    /// <summary>Starts reading the rows from the first.</summary>
    IEvaluationReader Open();
}

/// <summary>One reading of <see cref="IEvaluationRows"/>, in blocks.</summary>
public interface IEvaluationReader : IDisposable
{
    /// <summary>
    /// Copies the next rows, at most <c>weights.Length</c>: inputs row-major into <paramref name="numeric"/>
    /// and <paramref name="categorical"/>, labels row-major [rows, tasks] into <paramref name="labels"/>
    /// (NaN where missing), and row weights (1 when the rows have none). Returns how many rows it
    /// copied: fewer than asked only when the rows run out, 0 at the end.
    /// </summary>
    /// <exception cref="Tabular.CsvFormatException">A row read from a file is malformed (file, line and column named).</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    int Read(Span<float> numeric, Span<int> categorical, Span<float> labels, Span<float> weights);
}
