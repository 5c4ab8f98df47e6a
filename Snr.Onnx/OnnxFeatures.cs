namespace Snr.Onnx;

/// <summary>
/// What an input front end hands to the model graph: the standardised numeric features and,
/// per categorical input, its embedding row ids.
/// </summary>
/// <param name="Numeric">[N, numeric inputs] float, or null when the model has no numeric input.</param>
/// <param name="CategoryRows">Per categorical input, in the model's order: [N] int64 embedding rows.</param>
internal sealed record OnnxFeatures(string? Numeric, IReadOnlyList<string> CategoryRows);
