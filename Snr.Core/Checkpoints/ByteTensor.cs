namespace Snr.Core.Checkpoints;

/// <summary>
/// A one-dimensional tensor of bytes (safetensors dtype <c>U8</c>) stored beside the weights: data that
/// a checkpoint keeps but a model does not compute with, such as the hashes of the rows it was trained on.
/// </summary>
/// <param name="Name">The dotted name, unique among all the file's tensors.</param>
/// <param name="Data">The bytes.</param>
public sealed record ByteTensor(string Name, byte[] Data);
