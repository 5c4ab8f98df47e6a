using Snr.Autograd;

namespace Snr.Core.Modules;

/// <summary>A trainable tensor with its stable dotted name, such as <c>routing.0.weight</c> or <c>towers.income.1.bias</c>.</summary>
/// <param name="Name">The full dotted path from the root module.</param>
/// <param name="Tensor">The parameter itself (it requires a gradient).</param>
/// <param name="RowSparse">
/// True for an embedding table: optimisers update only the rows that received a gradient
/// in a step (lazy updates), so untouched categories keep their vectors.
/// </param>
public readonly record struct NamedParameter(string Name, Tensor Tensor, bool RowSparse = false);
