namespace Snr.Core.Checkpoints;

/// <summary>A float32 tensor with a stable dotted name (<c>routing.0.weight</c>), its shape and row-major values.</summary>
/// <param name="Name">The dotted parameter name.</param>
/// <param name="Shape">The dimensions, PyTorch-style (empty for a scalar).</param>
/// <param name="Values">Row-major values; the product of <paramref name="Shape"/> elements.</param>
public sealed record NamedTensor(string Name, int[] Shape, float[] Values);
