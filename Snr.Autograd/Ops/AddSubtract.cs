using System.Numerics.Tensors;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = a + b. b has a's shape, or is a row ([cols] or [1, cols]) added to every row of a.
    /// </summary>
    /// <exception cref="ArgumentException">b is neither a's shape nor a row of a's width.</exception>
    public static Tensor Add(Tensor a, Tensor b) => AddScaled(nameof(Add), a, b, +1f);

    /// <summary>
    /// y = a − b. b has a's shape, or is a row ([cols] or [1, cols]) subtracted from every row of a.
    /// </summary>
    /// <exception cref="ArgumentException">b is neither a's shape nor a row of a's width.</exception>
    public static Tensor Subtract(Tensor a, Tensor b) => AddScaled(nameof(Subtract), a, b, -1f);

    // y = a + sign·b (b broadcast over rows when it is a single row)
    private static Tensor AddScaled(string op, Tensor a, Tensor b, float sign)
    {
        bool broadcast = IsRowBroadcast(op, a, b);
        bool tracks = Tracks(a, b);
        var y = Result(a.Shape, tracks);
        if (broadcast)
        {
            for (int r = 0; r < a.Rows; r++)
                TensorPrimitives.MultiplyAdd(b.Data, sign, a.Data.Slice(r * a.Cols, a.Cols), y.Data.Slice(r * a.Cols, a.Cols));
        }
        else
        {
            TensorPrimitives.MultiplyAdd(b.Data, sign, a.Data, y.Data);
        }
        if (tracks) Tape.Current.Record(y, new AddScaledOp(a, b, sign, broadcast));
        return y;
    }

    // da += dy;  db += sign·dy (summed over rows when b was broadcast)
    private readonly record struct AddScaledOp(Tensor A, Tensor B, float Sign, bool Broadcast) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor a = A, b = B, y = output;
            float sign = Sign;
            if (a.RequiresGrad) TensorPrimitives.Add(tape.GradOf(a), y.Grad, tape.GradOf(a));
            if (!b.RequiresGrad) return;
            Span<float> db = tape.GradOf(b);
            if (Broadcast)
            {
                for (int r = 0; r < a.Rows; r++)
                    TensorPrimitives.MultiplyAdd(y.Grad.Slice(r * a.Cols, a.Cols), sign, db, db);
            }
            else
            {
                TensorPrimitives.MultiplyAdd(y.Grad, sign, db, db);
            }
        }
    }

    /// <summary>True when b is a row broadcast over a's rows, false when the shapes are equal; throws otherwise.</summary>
    private static bool IsRowBroadcast(string op, Tensor a, Tensor b)
    {
        if (a.Shape == b.Shape) return false;
        bool isRow = (b.Shape.Rank == 1 || (b.Shape.Rank == 2 && b.Rows == 1)) && b.Cols == a.Cols && a.Shape.Rank == 2;
        if (!isRow)
            throw ShapeMismatch(op, "b must have a's shape or be one row of a's width", a, "a", b, "b");
        return true;
    }
}
