using Snr.Core.Data;

namespace Snr.Core.Tabular;

/// <summary>
/// Rows ready for a model: standardised numeric inputs [rows, NumericCount], embedding
/// indices of the categorical inputs [rows, CategoricalCount] (row-major), and one label
/// array per task.
/// </summary>
public sealed record EncodedTable(
    int Rows,
    int NumericCount,
    float[] Numeric,
    int CategoricalCount,
    int[] Categorical,
    IReadOnlyList<string> TaskNames,
    IReadOnlyList<float[]> Labels)
{
    /// <summary>The rows as a <see cref="MultiTaskDataset"/>: numeric inputs and category indices.</summary>
    public MultiTaskDataset ToDataset() => new(Numeric, NumericCount, Categorical, CategoricalCount, TaskNames, Labels);
}
