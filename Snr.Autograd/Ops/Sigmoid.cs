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
        if (tracks) Tape.Current.Record(SigmoidBackward, y, x);
        return y;
    }

    // dx += dy·y·(1 − y)
    private static void SigmoidBackward(Tape tape, in TapeEntry e) =>
        Activations.SigmoidBackward(e.Output.Data, e.Output.Grad, tape.GradOf(e.A!));
}
