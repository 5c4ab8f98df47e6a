using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>y[r, :] = softmax(x[r, :]) over the last axis (each row sums to 1).</summary>
    public static Tensor SoftmaxRows(Tensor x)
    {
        bool tracks = Tracks(x);
        var y = Result(x.Shape, tracks);
        RowOps.SoftmaxRows(x.Data, y.Data, x.Rows, x.Cols);
        if (tracks) Tape.Current.Record(y, new SoftmaxRowsOp(x));
        return y;
    }

    // dx[r] += y[r] ⊙ (dy[r] − ⟨dy[r], y[r]⟩)
    private readonly record struct SoftmaxRowsOp(Tensor X) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output) =>
            RowOps.SoftmaxRowsBackward(output.Data, output.Grad, tape.GradOf(X), X.Rows, X.Cols);
    }
}
