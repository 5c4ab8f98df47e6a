using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Serving gates: z = clamp(sigmoid(logAlpha)·(ζ − γ) + γ, 0, 1), deterministic (no noise, no β).
    /// Differentiable, with dz/dlogAlpha = 0 where the clamp is active.
    /// </summary>
    public static Tensor ServingGates(Tensor logAlpha, HardConcrete hc)
    {
        bool tracks = Tracks(logAlpha);
        var z = Result(logAlpha.Shape, tracks);
        HardConcreteMath.ServingGates(logAlpha.Data, hc.Gamma, hc.Zeta, z.Data);
        if (tracks) Tape.Current.Record(z, new ServingGatesOp(logAlpha, hc));
        return z;
    }

    // dlogAlpha += dz·(ζ − γ)·σ(1 − σ) where 0 < σ·(ζ − γ) + γ < 1
    private readonly record struct ServingGatesOp(Tensor LogAlpha, HardConcrete Distribution) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output) =>
            HardConcreteMath.ServingGatesBackward(LogAlpha.Data, Distribution.Gamma, Distribution.Zeta, output.Grad, tape.GradOf(LogAlpha));
    }
}
