using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// Training gates: z = clamp(sigmoid((log u − log(1 − u) + logAlpha)/β)·(ζ − γ) + γ, 0, 1),
    /// one noise value u ∈ (0, 1) per gate. z has logAlpha's shape; dz/dlogAlpha is 0 where the clamp is active.
    /// </summary>
    /// <exception cref="ArgumentException">The noise does not have one value per gate.</exception>
    public static Tensor HardConcreteGates(Tensor logAlpha, ReadOnlySpan<float> noise, HardConcrete hc)
    {
        if (noise.Length != logAlpha.Size)
            throw new ArgumentException($"HardConcreteGates: {noise.Length} noise values for log_alpha of shape {logAlpha.Shape}.", nameof(noise));
        bool tracks = Tracks(logAlpha);
        var z = Result(logAlpha.Shape, tracks);
        HardConcreteMath.TrainingGates(logAlpha.Data, noise, hc.Beta, hc.Gamma, hc.Zeta, z.Data);
        if (tracks)
        {
            var tape = Tape.Current;
            var savedNoise = tape.RentFloats(noise.Length);
            noise.CopyTo(savedNoise);
            tape.Record(z, new HardConcreteGatesOp(logAlpha, savedNoise, hc));
        }
        return z;
    }

    // dlogAlpha += dz·(ζ − γ)·s(1 − s)/β where 0 < s·(ζ − γ) + γ < 1
    private readonly record struct HardConcreteGatesOp(Tensor LogAlpha, float[] Noise, HardConcrete Distribution) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output) =>
            HardConcreteMath.TrainingGatesBackward(LogAlpha.Data, Noise, Distribution.Beta, Distribution.Gamma, Distribution.Zeta, output.Grad, tape.GradOf(LogAlpha));
    }
}
