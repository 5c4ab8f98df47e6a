namespace Snr.Kernels;

/// <summary>
/// The hard-concrete distribution of Louizos, Welling and Kingma (ICLR 2018), the coding
/// variables of SNR, as span kernels. With temperature β and stretch interval (γ, ζ):
/// <code>
/// training:  s = sigmoid((log u − log(1 − u) + log_alpha) / β),  z = clamp(s·(ζ − γ) + γ, 0, 1),  u ~ U(0, 1)
/// serving:   z = clamp(sigmoid(log_alpha)·(ζ − γ) + γ, 0, 1)
/// penalty:   P(z ≠ 0) = sigmoid(log_alpha − β·log(−γ / ζ)),  the expected L0 norm is its sum
/// </code>
/// The stretch beyond [0, 1] is what makes exact zeros (and ones) happen with positive
/// probability; where the clamp is active the derivative with respect to log_alpha is exactly 0.
/// Backward kernels accumulate (<c>+=</c>).
/// </summary>
/// <remarks>Element-wise: a destination may be written in place over a source (the same first element) but must not overlap one at an offset.</remarks>
public static class HardConcreteMath
{
    /// <summary>z[i] = clamp(sigmoid((log u[i] − log(1 − u[i]) + logAlpha[i]) / β)·(ζ − γ) + γ, 0, 1).</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or the destination overlaps a source other than in place.</exception>
    public static void TrainingGates(ReadOnlySpan<float> logAlpha, ReadOnlySpan<float> noise, float beta, float gamma, float zeta, Span<float> z)
    {
        Activations.CheckSameLength(logAlpha.Length, noise.Length, z.Length);
        SpanOverlap.ThrowIfOverlappingShifted(z, nameof(z), logAlpha, nameof(logAlpha));
        SpanOverlap.ThrowIfOverlappingShifted(z, nameof(z), noise, nameof(noise));
        for (int i = 0; i < z.Length; i++)
            z[i] = Clamp01(Stretched(TrainingSigmoid(logAlpha[i], noise[i], beta), gamma, zeta));
    }

    /// <summary>
    /// dLogAlpha[i] += dz[i]·(ζ − γ)·s(1 − s)/β where the clamp is inactive (0 &lt; s·(ζ − γ) + γ &lt; 1), with s as in <see cref="TrainingGates"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length, or the destination overlaps a source other than in place.</exception>
    public static void TrainingGatesBackward(ReadOnlySpan<float> logAlpha, ReadOnlySpan<float> noise, float beta, float gamma, float zeta,
        ReadOnlySpan<float> dz, Span<float> dLogAlpha)
    {
        Activations.CheckSameLength(logAlpha.Length, noise.Length, dz.Length);
        Activations.CheckSameLength(logAlpha.Length, dLogAlpha.Length, dz.Length);
        SpanOverlap.ThrowIfOverlappingShifted(dLogAlpha, nameof(dLogAlpha), logAlpha, nameof(logAlpha));
        SpanOverlap.ThrowIfOverlappingShifted(dLogAlpha, nameof(dLogAlpha), noise, nameof(noise));
        SpanOverlap.ThrowIfOverlappingShifted(dLogAlpha, nameof(dLogAlpha), dz, nameof(dz));
        for (int i = 0; i < dz.Length; i++)
        {
            float s = TrainingSigmoid(logAlpha[i], noise[i], beta);
            if (IsInsideClamp(Stretched(s, gamma, zeta)))
                dLogAlpha[i] += dz[i] * (zeta - gamma) * s * (1f - s) / beta;
        }
    }

    /// <summary>z[i] = clamp(sigmoid(logAlpha[i])·(ζ − γ) + γ, 0, 1): the deterministic gate of a served model.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or the destination overlaps a source other than in place.</exception>
    public static void ServingGates(ReadOnlySpan<float> logAlpha, float gamma, float zeta, Span<float> z)
    {
        Activations.CheckSameLength(logAlpha.Length, z.Length, z.Length);
        SpanOverlap.ThrowIfOverlappingShifted(z, nameof(z), logAlpha, nameof(logAlpha));
        for (int i = 0; i < z.Length; i++) z[i] = ServingGate(logAlpha[i], gamma, zeta);
    }

    /// <summary>dLogAlpha[i] += dz[i]·(ζ − γ)·σ(1 − σ), σ = sigmoid(logAlpha[i]), where the clamp is inactive.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or the destination overlaps a source other than in place.</exception>
    public static void ServingGatesBackward(ReadOnlySpan<float> logAlpha, float gamma, float zeta, ReadOnlySpan<float> dz, Span<float> dLogAlpha)
    {
        Activations.CheckSameLength(logAlpha.Length, dz.Length, dLogAlpha.Length);
        SpanOverlap.ThrowIfOverlappingShifted(dLogAlpha, nameof(dLogAlpha), logAlpha, nameof(logAlpha));
        SpanOverlap.ThrowIfOverlappingShifted(dLogAlpha, nameof(dLogAlpha), dz, nameof(dz));
        for (int i = 0; i < dz.Length; i++)
        {
            float s = Sigmoid(logAlpha[i]);
            if (IsInsideClamp(Stretched(s, gamma, zeta)))
                dLogAlpha[i] += dz[i] * (zeta - gamma) * s * (1f - s);
        }
    }

    /// <summary>The serving gate of one connection: clamp(sigmoid(logAlpha)·(ζ − γ) + γ, 0, 1).</summary>
    public static float ServingGate(float logAlpha, float gamma, float zeta) => Clamp01(Stretched(Sigmoid(logAlpha), gamma, zeta));

    /// <summary>P(z ≠ 0) = sigmoid(logAlpha − β·log(−γ/ζ)) for one connection during training.</summary>
    public static float ProbabilityNonZero(float logAlpha, float beta, float gamma, float zeta) =>
        Sigmoid(logAlpha - beta * MathF.Log(-gamma / zeta));

    /// <summary>The expected L0 norm Σ_i sigmoid(logAlpha[i] − β·log(−γ/ζ)), summed in double.</summary>
    public static float ExpectedL0(ReadOnlySpan<float> logAlpha, float beta, float gamma, float zeta)
    {
        double sum = 0;
        foreach (float a in logAlpha) sum += ProbabilityNonZero(a, beta, gamma, zeta);
        return (float)sum;
    }

    /// <summary>dLogAlpha[i] += dPenalty·p(1 − p), with p = P(z ≠ 0) of connection i.</summary>
    /// <exception cref="ArgumentException">The spans differ in length, or the destination overlaps a source other than in place.</exception>
    public static void ExpectedL0Backward(ReadOnlySpan<float> logAlpha, float beta, float gamma, float zeta, float dPenalty, Span<float> dLogAlpha)
    {
        Activations.CheckSameLength(logAlpha.Length, dLogAlpha.Length, dLogAlpha.Length);
        SpanOverlap.ThrowIfOverlappingShifted(dLogAlpha, nameof(dLogAlpha), logAlpha, nameof(logAlpha));
        for (int i = 0; i < logAlpha.Length; i++)
        {
            float p = ProbabilityNonZero(logAlpha[i], beta, gamma, zeta);
            dLogAlpha[i] += dPenalty * p * (1f - p);
        }
    }

    private static float TrainingSigmoid(float logAlpha, float u, float beta) =>
        Sigmoid((MathF.Log(u) - MathF.Log(1f - u) + logAlpha) / beta);

    private static float Stretched(float s, float gamma, float zeta) => s * (zeta - gamma) + gamma;

    private static bool IsInsideClamp(float stretched) => stretched > 0f && stretched < 1f;

    private static float Clamp01(float v) => Math.Clamp(v, 0f, 1f);

    // Written to stay finite for any input: exp only ever sees a non-positive argument.
    private static float Sigmoid(float x) => x >= 0 ? 1f / (1f + MathF.Exp(-x)) : MathF.Exp(x) / (1f + MathF.Exp(x));
}
