using Onnx;

namespace Snr.Onnx;

/// <summary>
/// The <see cref="OnnxInputForm.Encoded"/> front end: <c>numeric</c> float32 [N, numeric inputs]
/// passes through; column c of <c>categorical</c> int64 [N, categorical inputs] gives the rows of embedding c.
/// </summary>
internal static class OnnxEncodedInputs
{
    /// <summary>The name of the numeric input.</summary>
    public const string NumericName = "numeric";

    /// <summary>The name of the categorical input.</summary>
    public const string CategoricalName = "categorical";

    /// <summary>Declares the inputs (only those the model has) and returns the features they carry.</summary>
    public static OnnxFeatures Write(OnnxGraph onnx, int numericInputs, int categoricalInputs)
    {
        string? numeric = numericInputs > 0 ? onnx.Input(NumericName, TensorProto.Types.DataType.Float, numericInputs) : null;
        var rows = new List<string>();
        if (categoricalInputs > 0)
        {
            string categorical = onnx.Input(CategoricalName, TensorProto.Types.DataType.Int64, categoricalInputs);
            for (int c = 0; c < categoricalInputs; c++)
                rows.Add(onnx.Node("Gather", $"categorical.{c}", [categorical, onnx.Constant("column", [(long)c])], OnnxGraph.Attribute("axis", 1)));
        }
        return new OnnxFeatures(numeric, rows);
    }
}
