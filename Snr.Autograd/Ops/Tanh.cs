using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>y = tanh(x).</summary>
    public static Tensor Tanh(Tensor x)
    {
        bool tracks = Tracks(x);
        var y = Result(x.Shape, tracks);
        Activations.Tanh(x.Data, y.Data);
        if (tracks) Tape.Current.Record(y, new TanhOp(x));
        return y;
    }

    // dx += dy·(1 − y²)
    private readonly record struct TanhOp(Tensor X) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output) =>
            Activations.TanhBackward(output.Data, output.Grad, tape.GradOf(X));
    }
}
