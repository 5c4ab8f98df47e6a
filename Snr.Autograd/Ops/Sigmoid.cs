using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>y = 1 / (1 + exp(−x)).</summary>
    public static Tensor Sigmoid(Tensor x)
    {
        bool tracks = Tracks(x);
        var y = Result(x.Shape, tracks);
        Activations.Sigmoid(x.Data, y.Data);
        if (tracks) Tape.Current.Record(y, new SigmoidOp(x));
        return y;
    }

    // dx += dy·y·(1 − y)
    private readonly record struct SigmoidOp(Tensor X) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output) =>
            Activations.SigmoidBackward(output.Data, output.Grad, tape.GradOf(X));
    }
}
