using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Snr.Kernels;

/// <summary>
/// Element-wise activations and their gradients over flat spans, on
/// <see cref="TensorPrimitives"/>. Forward kernels write <c>y</c>; backward kernels
/// accumulate (<c>+=</c>) into <c>dx</c>, as every gradient in Snr does.
/// </summary>
public static class Activations
{
    /// <summary>y = max(x, 0).</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>dx += dy where x &gt; 0 (the gradient at exactly 0 is 0, as in PyTorch).</summary>
    /// <remarks><paramref name="x"/> may be the ReLU's input or its output: both are positive at the same places.</remarks>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckSameLength(x.Length, dy.Length, dx.Length);
        // Branch-free: a per-element "if" mispredicts on the half-positive inputs ReLU sees, so select with a mask.
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var xs = MemoryMarshal.Cast<float, Vector<float>>(x);
            var dys = MemoryMarshal.Cast<float, Vector<float>>(dy);
            var dxs = MemoryMarshal.Cast<float, Vector<float>>(dx);
            for (int v = 0; v < xs.Length; v++)
                dxs[v] += Vector.ConditionalSelect(Vector.GreaterThan(xs[v], Vector<float>.Zero), dys[v], Vector<float>.Zero);
            i = xs.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++)
            dx[i] += x[i] > 0f ? dy[i] : 0f;
    }

    /// <summary>y = 1 / (1 + exp(−x)).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <summary>dx += dy · y · (1 − y), where y = sigmoid(x) is the forward output.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckSameLength(y.Length, dy.Length, dx.Length);
        for (int i = 0; i < y.Length; i++)
            dx[i] += dy[i] * y[i] * (1f - y[i]);
    }

    /// <summary>y = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    /// <summary>dx += dy · (1 − y²), where y = tanh(x) is the forward output.</summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckSameLength(y.Length, dy.Length, dx.Length);
        for (int i = 0; i < y.Length; i++)
            dx[i] += dy[i] * (1f - y[i] * y[i]);
    }

    internal static void CheckSameLength(int a, int b, int c)
    {
        if (a != b || a != c)
            throw new ArgumentException($"Spans must have equal lengths, got {a}, {b} and {c}.");
    }
}
