namespace Snr.Tests.Kernels;

/// <summary>The sampled gates follow the hard-concrete distribution's closed forms.</summary>
public class HardConcreteStatisticsTests
{
    private const float Beta = 2f / 3f, Gamma = -0.1f, Zeta = 1.1f;
    private const int Samples = 400_000;

    // P(z = 0) = sigmoid(β·logit(−γ/(ζ−γ)) − log_alpha); P(z = 1) = sigmoid(log_alpha − β·logit((1−γ)/(ζ−γ))).
    private static double ProbabilityZero(double logAlpha) => Sigmoid(Beta * Logit(-Gamma / (Zeta - Gamma)) - logAlpha);
    private static double ProbabilityOne(double logAlpha) => Sigmoid(logAlpha - Beta * Logit((1 - Gamma) / (Zeta - Gamma)));

    [Fact]
    public void With_log_alpha_zero_a_sixth_of_gates_are_exactly_zero_and_a_sixth_exactly_one()
    {
        Assert.Equal(0.168, ProbabilityZero(0), 0.001);
        Assert.Equal(0.168, ProbabilityOne(0), 0.001);
        var z = Sample(0f, seed: 1);
        // Binomial standard error ≈ 0.0006; allow five of them.
        Assert.Equal(ProbabilityZero(0), z.Count(v => v == 0f) / (double)Samples, 0.003);
        Assert.Equal(ProbabilityOne(0), z.Count(v => v == 1f) / (double)Samples, 0.003);
    }

    [Theory]
    [InlineData(-2f)]
    [InlineData(0f)]
    [InlineData(1.5f)]
    public void The_mean_gate_moves_with_log_alpha_as_the_closed_form_says(float logAlpha)
    {
        var z = Sample(logAlpha, seed: 2);
        double mean = z.Average(v => (double)v);
        Assert.Equal(ExpectedGate(logAlpha), mean, 0.004); // standard error ≤ 0.0008
        Assert.Equal(ProbabilityZero(logAlpha), z.Count(v => v == 0f) / (double)Samples, 0.004);
        // P(z ≠ 0) is what the L0 penalty sums.
        Assert.Equal(1 - ProbabilityZero(logAlpha), HardConcreteMath.ProbabilityNonZero(logAlpha, Beta, Gamma, Zeta), 1e-5);
    }

    [Fact]
    public void The_mean_gate_increases_with_log_alpha()
    {
        double previous = -1;
        foreach (float a in new[] { -4f, -2f, 0f, 2f, 4f })
        {
            double expected = ExpectedGate(a);
            Assert.True(expected > previous);
            previous = expected;
        }
    }

    private static float[] Sample(float logAlpha, ulong seed)
    {
        var u = new float[Samples];
        new CounterRng(seed).FillUniform(u, stream: 0);
        var la = Enumerable.Repeat(logAlpha, Samples).ToArray();
        var z = new float[Samples];
        HardConcreteMath.TrainingGates(la, u, Beta, Gamma, Zeta, z);
        return z;
    }

    // E[z] = ∫₀¹ clamp(sigmoid((logit u + log_alpha)/β)(ζ−γ)+γ, 0, 1) du, by the midpoint rule in double.
    private static double ExpectedGate(double logAlpha)
    {
        const int n = 200_000;
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            double u = (i + 0.5) / n;
            double s = Sigmoid((Logit(u) + logAlpha) / Beta);
            sum += Math.Clamp(s * (Zeta - Gamma) + Gamma, 0, 1);
        }
        return sum / n;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
    private static double Logit(double p) => Math.Log(p / (1 - p));


    [Fact]
    public void A_destination_shifted_over_a_source_is_refused()
    {
        var v = Enumerable.Range(0, 12).Select(i => 0.05f + i * 0.07f).ToArray();
        var before = v.ToArray();
        Assert.Contains("z overlaps noise", Assert.Throws<ArgumentException>("z", () => HardConcreteMath.TrainingGates(new float[4], v.AsSpan(0, 4), 2f / 3, -0.1f, 1.1f, v.AsSpan(2, 4))).Message);
        Assert.Throws<ArgumentException>("z", () => HardConcreteMath.TrainingGates(v.AsSpan(0, 4), new float[4], 2f / 3, -0.1f, 1.1f, v.AsSpan(3, 4)));
        Assert.Throws<ArgumentException>("dLogAlpha", () => HardConcreteMath.TrainingGatesBackward(new float[4], v.AsSpan(4, 4), 2f / 3, -0.1f, 1.1f, new float[4], v.AsSpan(5, 4)));
        Assert.Throws<ArgumentException>("z", () => HardConcreteMath.ServingGates(v.AsSpan(0, 4), -0.1f, 1.1f, v.AsSpan(1, 4)));
        Assert.Throws<ArgumentException>("dLogAlpha", () => HardConcreteMath.ServingGatesBackward(new float[4], -0.1f, 1.1f, v.AsSpan(0, 4), v.AsSpan(2, 4)));
        Assert.Throws<ArgumentException>("dLogAlpha", () => HardConcreteMath.ExpectedL0Backward(v.AsSpan(0, 4), 2f / 3, -0.1f, 1.1f, 1f, v.AsSpan(3, 4)));
        Assert.Equal(before, v);
        HardConcreteMath.ServingGates(v.AsSpan(0, 4), -0.1f, 1.1f, v.AsSpan(0, 4)); // in place is allowed
    }
}
