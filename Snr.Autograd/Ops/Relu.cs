using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>y = max(x, 0); the gradient at exactly 0 is 0 (as in PyTorch).</summary>
    public static Tensor Relu(Tensor x)
    {
        bool tracks = Tracks(x);
        var y = Result(x.Shape, tracks);
        Activations.Relu(x.Data, y.Data);
        if (tracks) Tape.Current.Record(y, new ReluOp(x));
        return y;
    }

    // dx += dy where x > 0
    private readonly record struct ReluOp(Tensor X) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output) =>
            Activations.ReluBackward(X.Data, output.Grad, tape.GradOf(X));
    }
}
