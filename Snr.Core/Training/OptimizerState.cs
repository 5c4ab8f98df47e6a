namespace Snr.Core.Training;

/// <summary>
/// What an <see cref="Optimizer"/> carries from one step to the next besides the weights (see <see cref="Optimizer.SaveState"/>).
/// </summary>
/// <param name="Kind">The optimiser's type name (<c>Adam</c>, <c>Sgd</c>).</param>
/// <param name="Steps">Per parameter, the steps it has taken (a parameter without a gradient in a step does not advance).</param>
/// <param name="BufferNames">The names of the per-element buffers (<c>exp_avg</c>, <c>exp_avg_sq</c>; <c>momentum_buffer</c>).</param>
/// <param name="Buffers">[buffer][parameter]: the values, one per element of the parameter.</param>
public sealed record OptimizerState(string Kind, long[] Steps, IReadOnlyList<string> BufferNames, float[][][] Buffers);
