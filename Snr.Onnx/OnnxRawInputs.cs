using Onnx;
using Snr.Core.Tabular;

namespace Snr.Onnx;

/// <summary>
/// The <see cref="OnnxInputForm.Raw"/> front end: one input per input column of the saved schema,
/// encoded in the graph as <see cref="TabularEncoder"/> encodes raw rows. Numeric columns:
/// (x − mean) / std, and 0 (the training mean) where x is NaN (missing). Categorical columns:
/// <c>ai.onnx.ml</c> <c>LabelEncoder</c> from the training levels to embedding rows 1…L, an unseen text to row 0.
/// </summary>
internal static class OnnxRawInputs
{
    /// <summary>Declares the inputs (in the schema's column order) and returns the features they encode to.</summary>
    /// <exception cref="ArgumentException">The preprocessing names a column the schema does not list as an input of that kind.</exception>
    public static OnnxFeatures Write(OnnxGraph onnx, TabularPreprocessing preprocessing)
    {
        var schema = preprocessing.Schema;
        var numericColumns = schema.Inputs(ColumnKind.Numeric).Select(c => c.Name).ToHashSet();
        var categoricalColumns = schema.Inputs(ColumnKind.Categorical).Select(c => c.Name).ToHashSet();
        var inputs = new Dictionary<string, string>();
        foreach (var column in schema.Columns)
        {
            if (numericColumns.Contains(column.Name)) inputs[column.Name] = onnx.Input(column.Name, TensorProto.Types.DataType.Float, 1);
            else if (categoricalColumns.Contains(column.Name)) inputs[column.Name] = onnx.Input(column.Name, TensorProto.Types.DataType.String, 1);
        }
        return new OnnxFeatures(Numeric(onnx, preprocessing.Numeric, inputs), [.. preprocessing.Categorical.Select(v => Rows(onnx, v, inputs))]);
    }

    private static string? Numeric(OnnxGraph onnx, IReadOnlyList<NumericColumnStats> stats, Dictionary<string, string> inputs)
    {
        if (stats.Count == 0) return null;
        var columns = stats.Select(s => Input(inputs, s.Name)).ToArray();
        string raw = columns.Length == 1 ? columns[0] : onnx.Node("Concat", "numeric/raw", columns, OnnxGraph.Attribute("axis", 1));
        float[] means = [.. stats.Select(s => s.Mean)], deviations = [.. stats.Select(s => s.Std)];
        string centred = onnx.Node("Sub", "numeric/centred", [raw, onnx.Constant("numeric/mean", means, means.Length)]);
        string standardised = onnx.Node("Div", "numeric/standardised", [centred, onnx.Constant("numeric/std", deviations, deviations.Length)]);
        string missing = onnx.Node("IsNaN", "numeric/missing", [raw]);
        return onnx.Node("Where", "numeric", [missing, onnx.Constant("numeric/fill", [0f]), standardised]);
    }

    // [N, 1] text → [N] embedding row: level i → i + 1; "?" and "" → the row of the first missing level
    // (0 when training saw none), as TabularEncoder does; anything else → 0.
    private static string Rows(OnnxGraph onnx, CategoricalVocabulary vocabulary, Dictionary<string, string> inputs)
    {
        string column = Input(inputs, vocabulary.Name);
        var levels = vocabulary.Levels.Select((level, i) => (Text: level, Row: (long)i + 1)).ToList();
        long missingRow = levels.Where(l => TabularSchema.IsMissing(l.Text)).Select(l => l.Row).FirstOrDefault();
        var keys = levels.Where(l => !TabularSchema.IsMissing(l.Text)).Append((Text: TabularSchema.MissingLevel, Row: missingRow)).Append((Text: "", Row: missingRow)).ToArray();
        string rows = onnx.Node("ai.onnx.ml", "LabelEncoder", $"{vocabulary.Name}/rows", [column],
            OnnxGraph.Attribute("keys_strings", keys.Select(k => k.Text)),
            OnnxGraph.Attribute("values_int64s", keys.Select(k => k.Row)),
            OnnxGraph.Attribute("default_int64", 0));
        return onnx.Node("Squeeze", $"{vocabulary.Name}/rows", [rows, onnx.Constant("axis", [1L], 1)]);
    }

    private static string Input(Dictionary<string, string> inputs, string name) =>
        inputs.TryGetValue(name, out var input) ? input
            : throw new ArgumentException($"The preprocessing encodes a column '{name}' that the schema does not list as an input of that kind.");
}
