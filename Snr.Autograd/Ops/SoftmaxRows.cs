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
        if (tracks) Tape.Current.Record(SoftmaxRowsBackward, y, x);
        return y;
    }

    // dx[r] += y[r] ⊙ (dy[r] − ⟨dy[r], y[r]⟩)
    private static void SoftmaxRowsBackward(Tape tape, in TapeEntry e) =>
        RowOps.SoftmaxRowsBackward(e.Output.Data, e.Output.Grad, tape.GradOf(e.A!), e.A!.Rows, e.A!.Cols);
}
