namespace Snr.Onnx;

/// <summary>What an export wrote.</summary>
/// <param name="Inputs">The input form.</param>
/// <param name="InputNames">The graph's inputs, in order.</param>
/// <param name="OutputNames">The graph's outputs: one per task, named after it, in task order.</param>
/// <param name="NodeCount">ONNX nodes in the graph.</param>
/// <param name="FlopsPerRow">Floating-point operations per row of the exported matrix products, weighted sums and mixtures (a multiply-add counts 2); equal to the Snr predictor's.</param>
/// <param name="Bytes">Size of the file.</param>
public sealed record OnnxExportSummary(OnnxInputForm Inputs, IReadOnlyList<string> InputNames, IReadOnlyList<string> OutputNames, int NodeCount, long FlopsPerRow, long Bytes);
