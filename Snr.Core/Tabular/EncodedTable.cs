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
    IReadOnlyList<float[]> Labels);
