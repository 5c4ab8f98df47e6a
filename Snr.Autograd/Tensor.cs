namespace Snr.Autograd;

/// <summary>
/// A float32 tensor of rank 0–2 (row-major), with an optional gradient of the same shape.
/// </summary>
/// <remarks>
/// Tensors you create (<see cref="Zeros(Shape, bool)"/>, <see cref="FromArray"/>) are yours
/// for as long as you hold them: parameters, inputs, targets. Tensors returned by ops while
/// gradients are enabled belong to the thread's <see cref="Tape"/> and are recycled by
/// <see cref="Tape.Reset"/>; copy out anything you need from them before the reset. Under
/// <see cref="Tape.NoGrad"/>, ops return ordinary tensors that the garbage collector frees.
/// </remarks>
public sealed class Tensor
{
    internal float[] Buffer;
    internal float[]? GradBuffer;

    /// <summary>The shape.</summary>
    public Shape Shape { get; private set; }

    /// <summary>Whether <see cref="Tensor.Backward()"/> computes a gradient for this tensor.</summary>
    public bool RequiresGrad { get; set; }

    /// <summary>True for tensors owned (and recycled) by a tape.</summary>
    internal bool IsTapeOwned { get; private set; }

    internal Tensor(Shape shape, float[] buffer, bool requiresGrad, bool tapeOwned)
    {
        Shape = shape;
        Buffer = buffer;
        RequiresGrad = requiresGrad;
        IsTapeOwned = tapeOwned;
    }

    /// <summary>A new tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape, bool requiresGrad = false) =>
        new(shape, new float[shape.Size], requiresGrad, tapeOwned: false);

    /// <summary>A new matrix of zeros, <c>[rows, cols]</c>.</summary>
    public static Tensor Zeros(int rows, int cols, bool requiresGrad = false) => Zeros(Shape.Matrix(rows, cols), requiresGrad);

    /// <summary>A new tensor that copies <paramref name="data"/> (row-major) into the given shape.</summary>
    /// <exception cref="ArgumentException">The data's length is not the shape's size.</exception>
    public static Tensor FromArray(ReadOnlySpan<float> data, Shape shape, bool requiresGrad = false)
    {
        if (data.Length != shape.Size)
            throw new ArgumentException($"{data.Length} values cannot fill shape {shape} ({shape.Size} elements).", nameof(data));
        var t = Zeros(shape, requiresGrad);
        data.CopyTo(t.Buffer);
        return t;
    }

    /// <summary>A new scalar tensor.</summary>
    public static Tensor Scalar(float value, bool requiresGrad = false) => FromArray([value], Shape.Scalar, requiresGrad);

    /// <summary>Rows when viewed as a matrix (1 for a vector or scalar).</summary>
    public int Rows => Shape.Rows;

    /// <summary>Columns when viewed as a matrix (the last dimension).</summary>
    public int Cols => Shape.Cols;

    /// <summary>Number of elements.</summary>
    public int Size => Shape.Size;

    /// <summary>The values, row-major.</summary>
    public Span<float> Data => Buffer.AsSpan(0, Shape.Size);

    /// <summary>True once a gradient has been accumulated into this tensor (or allocated by <see cref="ZeroGrad"/>).</summary>
    public bool HasGrad => GradBuffer is not null;

    /// <summary>The gradient, row-major; empty when no gradient has been accumulated.</summary>
    public Span<float> Grad => GradBuffer is null ? Span<float>.Empty : GradBuffer.AsSpan(0, Shape.Size);

    /// <summary>The single value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more than one element.</exception>
    public float Item() => Size == 1
        ? Buffer[0]
        : throw new InvalidOperationException($"Item() needs a one-element tensor; this one has shape {Shape}.");

    /// <summary>Sets the gradient to zeros (allocating it once if needed), before the next accumulation.</summary>
    public void ZeroGrad()
    {
        if (GradBuffer is null) GradBuffer = new float[Shape.Size];
        else Grad.Clear();
    }

    /// <summary>
    /// Back-propagates from this scalar (its gradient seeded with 1) through the thread's
    /// tape, accumulating (<c>+=</c>) into the gradient of every tensor that requires one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The tensor is not a one-element tensor; use <see cref="Backward(ReadOnlySpan{float})"/>.</exception>
    public void Backward() => Tape.Current.Backward(this, ReadOnlySpan<float>.Empty);

    /// <summary>
    /// Back-propagates from this tensor with the given seed gradient (dL/dthis, same size),
    /// accumulating into the gradient of every tensor that requires one.
    /// </summary>
    /// <exception cref="ArgumentException">The seed's length differs from the tensor's size.</exception>
    public void Backward(ReadOnlySpan<float> seed) => Tape.Current.Backward(this, seed);

    /// <summary>A short description: shape and, for small tensors, values.</summary>
    public override string ToString() =>
        Size <= 8 ? $"Tensor{Shape} {{{string.Join(", ", Buffer.Take(Size))}}}" : $"Tensor{Shape}";

    // Re-initialises a recycled tape-owned tensor for a new result.
    internal void Reuse(Shape shape, float[] buffer, bool requiresGrad)
    {
        Shape = shape;
        Buffer = buffer;
        GradBuffer = null;
        RequiresGrad = requiresGrad;
    }
}
