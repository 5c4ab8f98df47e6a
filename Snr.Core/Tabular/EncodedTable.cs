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
    /// <summary>
    /// The rows as a <see cref="MultiTaskDataset"/> in the layout models with
    /// <see cref="Models.InputEmbeddingConfig"/> read: [numeric | category indices as floats].
    /// </summary>
    public MultiTaskDataset ToDataset()
    {
        int width = NumericCount + CategoricalCount;
        var features = new float[Rows * width];
        for (int r = 0; r < Rows; r++)
        {
            Numeric.AsSpan(r * NumericCount, NumericCount).CopyTo(features.AsSpan(r * width));
            for (int c = 0; c < CategoricalCount; c++) features[r * width + NumericCount + c] = Categorical[r * CategoricalCount + c];
        }
        return new MultiTaskDataset(features, width, TaskNames, Labels);
    }
}
