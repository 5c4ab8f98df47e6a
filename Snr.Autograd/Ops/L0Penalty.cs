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
        if (tracks) Tape.Current.Record(y, new L0PenaltyOp(logAlpha, hc));
        return y;
    }

    // dlogAlpha += dy·p(1 − p), p = sigmoid(logAlpha − β·log(−γ/ζ))
    private readonly record struct L0PenaltyOp(Tensor LogAlpha, HardConcrete Distribution) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output) =>
            HardConcreteMath.ExpectedL0Backward(LogAlpha.Data, Distribution.Beta, Distribution.Gamma, Distribution.Zeta, output.Grad[0], tape.GradOf(LogAlpha));
    }
}
