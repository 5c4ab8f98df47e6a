using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Snr.Kernels;

/// <summary>
/// Element-wise activations and their gradients over flat spans, on
/// <see cref="TensorPrimitives"/>. Forward kernels write <c>y</c>; backward kernels
/// accumulate (<c>+=</c>) into <c>dx</c>, as every gradient in Snr does.
/// </summary>
/// <remarks>
/// As in TensorPrimitives, a result may be written in place (the destination starting at the same element as a
/// source) but must not overlap a source at an offset.
/// </remarks>
public static class Activations
{
    /// <summary>y = max(x, 0).</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>, or overlaps it other than in place.</exception>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y)
    {
        SpanOverlap.ThrowIfOverlappingShifted(y, nameof(y), x, nameof(x));
        TensorPrimitives.Max(x, 0f, y);
    }

    /// <summary>dx += dy where x &gt; 0 (the gradient at exactly 0 is 0, as in PyTorch).</summary>
    /// <remarks><paramref name="x"/> may be the ReLU's input or its output: both are positive at the same places.</remarks>
    /// <exception cref="ArgumentException">The spans differ in length, or dx overlaps x or dy other than in place.</exception>
    public static void ReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckBackward(x, nameof(x), dy, dx);
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
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>, or overlaps it other than in place.</exception>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        SpanOverlap.ThrowIfOverlappingShifted(y, nameof(y), x, nameof(x));
        TensorPrimitives.Sigmoid(x, y);
    }

    /// <summary>dx += dy · y · (1 − y), where y = sigmoid(x) is the forward output.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or dx overlaps y or dy other than in place.</exception>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckBackward(y, nameof(y), dy, dx);
        for (int i = 0; i < y.Length; i++)
            dx[i] += dy[i] * y[i] * (1f - y[i]);
    }

    /// <summary>y = tanh(x).</summary>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>, or overlaps it other than in place.</exception>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        SpanOverlap.ThrowIfOverlappingShifted(y, nameof(y), x, nameof(x));
        TensorPrimitives.Tanh(x, y);
    }

    /// <summary>dx += dy · (1 − y²), where y = tanh(x) is the forward output.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or dx overlaps y or dy other than in place.</exception>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckBackward(y, nameof(y), dy, dx);
        for (int i = 0; i < y.Length; i++)
            dx[i] += dy[i] * (1f - y[i] * y[i]);
    }

    // The arguments of a backward kernel: three spans of one length, dx overlapping neither source other than in place.
    private static void CheckBackward(ReadOnlySpan<float> forward, string forwardName, ReadOnlySpan<float> dy, ReadOnlySpan<float> dx)
    {
        CheckSameLength(forward.Length, dy.Length, dx.Length);
        SpanOverlap.ThrowIfOverlappingShifted(dx, nameof(dx), forward, forwardName);
        SpanOverlap.ThrowIfOverlappingShifted(dx, nameof(dx), dy, nameof(dy));
    }

    internal static void CheckSameLength(int a, int b, int c)
    {
        if (a != b || a != c)
            throw new ArgumentException($"Spans must have equal lengths, got {a}, {b} and {c}.");
    }
}
