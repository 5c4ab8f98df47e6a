using System.Numerics.Tensors;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = a ⊙ b (element-wise). b has a's shape, or is a row ([cols] or [1, cols]) that multiplies every row of a.
    /// </summary>
    /// <exception cref="ArgumentException">b is neither a's shape nor a row of a's width.</exception>
    public static Tensor Multiply(Tensor a, Tensor b)
    {
        bool broadcast = IsRowBroadcast(nameof(Multiply), a, b);
        bool tracks = Tracks(a, b);
        var y = Result(a.Shape, tracks);
        int cols = a.Cols;
        for (int r = 0; r < a.Rows; r++)
        {
            ReadOnlySpan<float> br = broadcast ? b.Data : b.Data.Slice(r * cols, cols);
            TensorPrimitives.Multiply(a.Data.Slice(r * cols, cols), br, y.Data.Slice(r * cols, cols));
        }
        if (tracks) Tape.Current.Record(y, new MultiplyOp(a, b, broadcast));
        return y;
    }

    // da += dy ⊙ b;  db += dy ⊙ a (summed over rows when b was broadcast)
    private readonly record struct MultiplyOp(Tensor A, Tensor B, bool Broadcast) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor a = A, b = B, y = output;
            bool broadcast = Broadcast;
            int cols = a.Cols;
            Span<float> da = GradOrEmpty(tape, a), db = GradOrEmpty(tape, b);
            for (int r = 0; r < a.Rows; r++)
            {
                ReadOnlySpan<float> dyr = y.Grad.Slice(r * cols, cols);
                if (!da.IsEmpty)
                {
                    Span<float> dar = da.Slice(r * cols, cols);
                    TensorPrimitives.MultiplyAdd(dyr, broadcast ? b.Data : b.Data.Slice(r * cols, cols), dar, dar);
                }
                if (!db.IsEmpty)
                {
                    Span<float> dbr = broadcast ? db : db.Slice(r * cols, cols);
                    TensorPrimitives.MultiplyAdd(dyr, a.Data.Slice(r * cols, cols), dbr, dbr);
                }
            }
        }
    }
}
