using System.Numerics.Tensors;

namespace Snr.Autograd;

/// <summary>
/// The differentiable operations. Each op lives in its own file with its forward and its
/// backward side by side; backward functions accumulate (<c>+=</c>) into input gradients.
/// </summary>
/// <remarks>
/// An op records itself on <see cref="Tape.Current"/> when gradients are enabled and one of
/// its inputs requires a gradient. Shape mismatches throw <see cref="ArgumentException"/>
/// naming both shapes.
/// </remarks>
public static partial class Ops
{
    private static bool Tracks(Tensor a) => Tape.IsGradEnabled && a.RequiresGrad;

    private static bool Tracks(Tensor a, Tensor? b) => Tape.IsGradEnabled && (a.RequiresGrad || (b?.RequiresGrad ?? false));

    private static bool Tracks(Tensor a, Tensor? b, Tensor? c) => Tracks(a, b) || (Tape.IsGradEnabled && (c?.RequiresGrad ?? false));

    /// <summary>
    /// A result tensor with unspecified contents: tape-owned while gradients are enabled
    /// (recycled at reset), an ordinary tensor under <see cref="Tape.NoGrad"/>.
    /// </summary>
    private static Tensor Result(Shape shape, bool requiresGrad) =>
        Tape.IsGradEnabled ? Tape.Current.NewResult(shape, requiresGrad) : Tensor.Zeros(shape);

    /// <summary>The gradient span to accumulate into, or empty when <paramref name="t"/> needs none.</summary>
    private static Span<float> GradOrEmpty(Tape tape, Tensor? t) =>
        t is not null && t.RequiresGrad ? tape.GradOf(t) : Span<float>.Empty;

    /// <summary>
    /// The backward of one weighted connection y_block += z·x_block of width dy.Length (SNR-Aver's gated blocks,
    /// MMoE's mixed experts): dx[block] += z·dy and dz[gate] += ⟨dy, x[block]⟩, each only where its span is not empty.
    /// </summary>
    private static void BlockConnectionBackward(ReadOnlySpan<float> dy, float z, ReadOnlySpan<float> x, Span<float> dx, int block, Span<float> dz, int gate)
    {
        if (!dx.IsEmpty)
        {
            Span<float> dxBlock = dx.Slice(block, dy.Length);
            TensorPrimitives.MultiplyAdd(dy, z, dxBlock, dxBlock);
        }
        if (!dz.IsEmpty) dz[gate] += TensorPrimitives.Dot(dy, x.Slice(block, dy.Length));
    }

    private static ArgumentException ShapeMismatch(string op, string rule, Tensor a, string aName, Tensor b, string bName) =>
        new($"{op}: {aName} has shape {a.Shape} and {bName} has shape {b.Shape}; {rule}.");

    private static void RequireMatrix(string op, Tensor t, string name)
    {
        if (t.Shape.Rank != 2)
            throw new ArgumentException($"{op}: {name} must be a matrix [rows, cols], got shape {t.Shape}.", name);
    }
}
