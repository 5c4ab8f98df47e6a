using System.Numerics.Tensors;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>y = x[:, start .. start + width): a block of columns, copied. y: [rows, width].</summary>
    /// <exception cref="ArgumentException">x is not a matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The column range is not inside x.</exception>
    public static Tensor SliceColumns(Tensor x, int start, int width)
    {
        RequireMatrix(nameof(SliceColumns), x, nameof(x));
        if (start < 0 || width < 0 || start + width > x.Cols)
            throw new ArgumentOutOfRangeException(nameof(start), $"SliceColumns: columns [{start}, {start + width}) are outside x of shape {x.Shape}.");
        bool tracks = Tracks(x);
        var y = Result(Shape.Matrix(x.Rows, width), tracks);
        for (int r = 0; r < x.Rows; r++)
            x.Data.Slice(r * x.Cols + start, width).CopyTo(y.Data.Slice(r * width, width));
        if (tracks) Tape.Current.Record(y, new SliceColumnsOp(x, start));
        return y;
    }

    /// <summary>Splits x's columns into consecutive blocks of the given widths (which must add up to x's columns).</summary>
    /// <exception cref="ArgumentException">The widths do not add up to x's columns.</exception>
    public static Tensor[] SplitColumns(Tensor x, params ReadOnlySpan<int> widths)
    {
        int total = 0;
        foreach (int w in widths) total += w;
        if (total != x.Cols)
            throw new ArgumentException($"SplitColumns: widths add up to {total} but x has shape {x.Shape}.", nameof(widths));
        var parts = new Tensor[widths.Length];
        for (int i = 0, start = 0; i < widths.Length; start += widths[i], i++)
            parts[i] = SliceColumns(x, start, widths[i]);
        return parts;
    }

    // dx[:, start .. start + width) += dy
    private readonly record struct SliceColumnsOp(Tensor X, int Start) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor x = X, y = output;
            Span<float> dx = tape.GradOf(x);
            for (int r = 0; r < x.Rows; r++)
            {
                Span<float> dxr = dx.Slice(r * x.Cols + Start, y.Cols);
                TensorPrimitives.Add(dxr, y.Grad.Slice(r * y.Cols, y.Cols), dxr);
            }
        }
    }
}
