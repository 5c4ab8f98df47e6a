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
        if (tracks) Tape.Current.Record(TanhBackward, y, x);
        return y;
    }

    // dx += dy·(1 − y²)
    private static void TanhBackward(Tape tape, in TapeEntry e) =>
        Activations.TanhBackward(e.Output.Data, e.Output.Grad, tape.GradOf(e.A!));
}
