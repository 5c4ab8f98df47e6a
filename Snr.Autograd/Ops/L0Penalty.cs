using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The expected L0 norm of hard-concrete gates, the scalar Σ sigmoid(logAlpha − β·log(−γ/ζ)):
    /// the expected number of gates that are not exactly zero during training.
    /// </summary>
    public static Tensor L0Penalty(Tensor logAlpha, HardConcrete hc)
    {
        bool tracks = Tracks(logAlpha);
        var y = Result(Shape.Scalar, tracks);
        y.Data[0] = HardConcreteMath.ExpectedL0(logAlpha.Data, hc.Beta, hc.Gamma, hc.Zeta);
        if (tracks) Tape.Current.Record(L0PenaltyBackward, y, logAlpha, float0: hc.Beta, float1: hc.Gamma, float2: hc.Zeta);
        return y;
    }

    // dlogAlpha += dy·p(1 − p), p = sigmoid(logAlpha − β·log(−γ/ζ))
    private static void L0PenaltyBackward(Tape tape, in TapeEntry e) =>
        HardConcreteMath.ExpectedL0Backward(e.A!.Data, e.Float0, e.Float1, e.Float2, e.Output.Grad[0], tape.GradOf(e.A!));
}
