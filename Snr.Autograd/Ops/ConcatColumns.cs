using System.Numerics.Tensors;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = [x₀ | x₁ | …]: matrices with the same number of rows placed side by side. y: [rows, Σ cols].
    /// </summary>
    /// <exception cref="ArgumentException">No inputs, an input is not a matrix, or the row counts differ.</exception>
    public static Tensor ConcatColumns(params ReadOnlySpan<Tensor> parts)
    {
        if (parts.Length == 0) throw new ArgumentException("ConcatColumns needs at least one tensor.", nameof(parts));
        int rows = parts[0].Rows, cols = 0;
        bool tracks = false;
        foreach (var p in parts)
        {
            RequireMatrix(nameof(ConcatColumns), p, nameof(parts));
            if (p.Rows != rows)
                throw ShapeMismatch(nameof(ConcatColumns), "all parts must have the same number of rows", parts[0], "the first part", p, "another");
            cols += p.Cols;
            tracks |= Tracks(p);
        }
        var y = Result(Shape.Matrix(rows, cols), tracks);
        int offset = 0;
        foreach (var p in parts)
        {
            for (int r = 0; r < rows; r++)
                p.Data.Slice(r * p.Cols, p.Cols).CopyTo(y.Data.Slice(r * cols + offset, p.Cols));
            offset += p.Cols;
        }
        if (tracks)
        {
            var tape = Tape.Current;
            var saved = tape.RentTensors(parts.Length);
            parts.CopyTo(saved);
            tape.Record(y, new ConcatColumnsOp(saved));
        }
        return y;
    }

    // dxₖ += dy[:, columns of part k]
    private readonly record struct ConcatColumnsOp(Tensor[] Parts) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            var parts = Parts;
            Tensor y = output;
            int offset = 0;
            foreach (var p in parts)
            {
                if (p.RequiresGrad)
                {
                    Span<float> dp = tape.GradOf(p);
                    for (int r = 0; r < y.Rows; r++)
                    {
                        Span<float> dpr = dp.Slice(r * p.Cols, p.Cols);
                        TensorPrimitives.Add(dpr, y.Grad.Slice(r * y.Cols + offset, p.Cols), dpr);
                    }
                }
                offset += p.Cols;
            }
        }
    }
}
