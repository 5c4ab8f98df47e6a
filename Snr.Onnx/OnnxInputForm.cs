namespace Snr.Onnx;

/// <summary>What an exported ONNX model takes as input.</summary>
public enum OnnxInputForm
{
    /// <summary>
    /// Model inputs as <see cref="Snr.Core.Serving.Predictor.Predict(ReadOnlySpan{float}, ReadOnlySpan{int}, Span{float})"/> takes them:
    /// <c>numeric</c> float32 [N, numeric inputs], already standardised, and <c>categorical</c> int64
    /// [N, categorical inputs], embedding row ids (0 = unknown). An input the model lacks is left out.
    /// </summary>
    Encoded,

    /// <summary>
    /// One input per input column of the saved schema, named after it, in file order: a numeric
    /// column float32 [N, 1] (NaN for a missing value), standardised in the graph with the saved
    /// statistics (a missing value becomes the training mean); a categorical column string [N, 1]
    /// (the text as <c>snr predict</c> reads it, trimmed), mapped to its embedding row with
    /// <c>ai.onnx.ml</c> <c>LabelEncoder</c> (an unseen value to row 0).
    /// </summary>
    Raw,
}
