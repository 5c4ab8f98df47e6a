namespace Snr.Core.Data;

/// <summary>
/// Training rows delivered an epoch at a time in a shuffled order, without the whole data set
/// in memory (see <see cref="Tabular.StreamingRows"/>); an in-memory <see cref="MultiTaskDataset"/>
/// is the special case of a full permutation per epoch.
/// </summary>
public interface IRowStream
{
    /// <summary>Numeric inputs per row.</summary>
    int NumericCount { get; }

    /// <summary>Categorical inputs (category indices) per row.</summary>
    int CategoricalCount { get; }

    /// <summary>Task names, in label order.</summary>
    IReadOnlyList<string> TaskNames { get; }

    /// <summary>The rows of every epoch.</summary>
    long Count { get; }

    /// <summary>Starts epoch <paramref name="epoch"/> (from 1): its rows in the order that <paramref name="seed"/> and the epoch give.</summary>
    IRowStreamEpoch Open(int epoch, ulong seed);
}

/// <summary>The rows of one epoch, read in batches.</summary>
public interface IRowStreamEpoch : IDisposable
{
    /// <summary>
    /// Copies the next <c>weights.Length</c> rows: inputs row-major into <paramref name="numeric"/>
    /// and <paramref name="categorical"/>, labels row-major [rows, tasks] into <paramref name="labels"/>
    /// (NaN where missing), and row weights.
    /// </summary>
    /// <exception cref="Tabular.CsvFormatException">A row read from a file is malformed (file, line and column named).</exception>
    /// <exception cref="InvalidDataException">The epoch has fewer rows than <see cref="IRowStream.Count"/> (the file changed).</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    void Read(Span<float> numeric, Span<int> categorical, Span<float> labels, Span<float> weights);
}
