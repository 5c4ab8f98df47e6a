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
    /// <summary>The weight of each row, from the schema's <see cref="TabularSchema.WeightColumn"/>; null when it has none.</summary>
    public float[]? RowWeights { get; init; }

    /// <summary>The rows as a <see cref="MultiTaskDataset"/>: numeric inputs, category indices and any row weights.</summary>
    public MultiTaskDataset ToDataset()
    {
        var data = new MultiTaskDataset(Numeric, NumericCount, Categorical, CategoricalCount, TaskNames, Labels);
        return RowWeights is null ? data : data.WithRowWeights(RowWeights);
    }
}
