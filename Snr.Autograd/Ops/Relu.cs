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
        if (tracks) Tape.Current.Record(ReluBackward, y, x);
        return y;
    }

    // dx += dy where x > 0
    private static void ReluBackward(Tape tape, in TapeEntry e) =>
        Activations.ReluBackward(e.A!.Data, e.Output.Grad, tape.GradOf(e.A!));
}
