namespace Snr.Tests.Core;

/// <summary>The synthetic generator against the MMoE paper's definition (Ma et al., KDD 2018, section 3.2).</summary>
public class SyntheticMmoeDataTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.9)]
    [InlineData(0.5)]
    [InlineData(-0.3)]
    public void The_weights_are_c_u1_and_c_of_p_u1_plus_root_one_minus_p_squared_u2_with_orthogonal_unit_u(double p)
    {
        var options = new SyntheticMmoeOptions { Scale = 2.5 };
        var problem = SyntheticMmoeData.Problem(p, problemSeed: 7, options);
        Assert.Equal(100, problem.U1.Length);
        Assert.Equal(1, Dot(problem.U1, problem.U1), 12);
        Assert.Equal(1, Dot(problem.U2, problem.U2), 12);
        Assert.Equal(0, Dot(problem.U1, problem.U2), 12);
        double q = Math.Sqrt(1 - p * p);
        for (int k = 0; k < 100; k++)
        {
            Assert.Equal(2.5 * problem.U1[k], problem.W1[k], 12);
            Assert.Equal(2.5 * (p * problem.U1[k] + q * problem.U2[k]), problem.W2[k], 12);
        }
        // cos(w1, w2) = p: the correlation knob acts on the weights as the paper defines it
        Assert.Equal(p, Dot(problem.W1, problem.W2) / Math.Sqrt(Dot(problem.W1, problem.W1) * Dot(problem.W2, problem.W2)), 12);
    }

    [Fact]
    public void Alpha_and_beta_are_ten_draws_of_variance_one_hundredth_shared_by_both_tasks_and_the_problem_seed_fixes_them()
    {
        var problem = SyntheticMmoeData.Problem(0.5, problemSeed: 3);
        Assert.Equal(10, problem.Alpha.Length);
        Assert.Equal(10, problem.Beta.Length);
        Assert.Equal(problem.Alpha, SyntheticMmoeData.Problem(0.9, problemSeed: 3).Alpha);   // p moves w2 only
        Assert.NotEqual(problem.Alpha, SyntheticMmoeData.Problem(0.5, problemSeed: 4).Alpha);
        // N(0, 0.01): standard deviation 0.1, checked on many draws
        var many = SyntheticMmoeData.Problem(0.5, problemSeed: 3, new SyntheticMmoeOptions { Sines = 20_000 });
        foreach (var draws in new[] { many.Alpha, many.Beta })
        {
            double mean = draws.Average(), sd = Math.Sqrt(draws.Sum(a => (a - mean) * (a - mean)) / (draws.Length - 1));
            Assert.InRange(mean, -0.003, 0.003);
            Assert.InRange(sd, 0.097, 0.103);
        }
    }

    [Fact]
    public void Each_label_is_w_x_plus_the_sum_of_sines_plus_noise_of_sd_one_tenth()
    {
        const int rows = 20_000;
        var data = SyntheticMmoeData.Generate(rows, 0.5, problemSeed: 5, rowSeed: 6);
        var problem = SyntheticMmoeData.Problem(0.5, problemSeed: 5);
        var x = data.Numeric;
        double[] sumSquares = new double[2];
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * 100, 100);
            double wx = 0;
            for (int k = 0; k < 100; k++) wx += problem.W1[k] * row[k];
            double expected = wx;
            for (int i = 0; i < 10; i++) expected += Math.Sin(problem.Alpha[i] * wx + problem.Beta[i]);
            Assert.Equal(expected, problem.Label(row, problem.W1), 9);
            sumSquares[0] += Math.Pow(data.Labels(0)[r] - expected, 2);
            sumSquares[1] += Math.Pow(data.Labels(1)[r] - problem.Label(row, problem.W2), 2);
        }
        foreach (double s in sumSquares) Assert.InRange(Math.Sqrt(s / rows), 0.098, 0.102);   // ε ~ N(0, 0.01)
        double xMean = 0, xSquares = 0;
        foreach (float v in x) { xMean += v; xSquares += v * (double)v; }
        Assert.InRange(xMean / x.Length, -0.002, 0.002);   // x ~ N(0, I)
        Assert.InRange(xSquares / x.Length, 0.99, 1.01);
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int k = 0; k < a.Length; k++) s += a[k] * b[k];
        return s;
    }
}
