using Snr.Core.Modules;

namespace Snr.Tests.Core;

public class OptimizerTests
{
    [Fact]
    public void Adam_matches_torch_over_three_steps()
    {
        var golden = Golden.Case("adam_3_steps");
        var p = golden.Inputs["p0"].ToTensor(requiresGrad: true);
        var adam = new Adam([new NamedParameter("p0", p)], learningRate: 0.01f);
        foreach (string g in new[] { "g1", "g2", "g3" })
        {
            p.ZeroGrad();
            golden.Constants[g].ToTensor().Data.CopyTo(p.Grad);
            adam.Step();
        }
        TensorAssert.Close(golden.Output!.Data, p.Data, 1e-5, "adam p3");
    }

    [Fact]
    public void Adam_vectorised_lanes_equal_the_scalar_formula_bit_for_bit()
    {
        const int n = 37;   // not a multiple of any vector width: both the vector loop and the tail run
        var values = TestData.Normal(n, seed: 21);
        var w = Tensor.FromArray(values, Shape.Vector(n), requiresGrad: true);
        var adam = new Adam([new NamedParameter("layer.weight", w)], learningRate: 0.01f, weightDecay: 0.1f);
        float[] p = (float[])values.Clone(), m = new float[n], v = new float[n];
        for (int t = 1; t <= 3; t++)
        {
            var grad = TestData.Normal(n, seed: (ulong)(30 + t));
            w.ZeroGrad();
            grad.CopyTo(w.Grad);
            adam.Step();
            float stepSize = (float)(0.01f / (1.0 - Math.Pow(0.9f, t))), c2 = (float)Math.Sqrt(1.0 - Math.Pow(0.999f, t));
            for (int k = 0; k < n; k++)
            {
                float g = grad[k] + 0.1f * p[k];
                m[k] = 0.9f * m[k] + (1f - 0.9f) * g;
                v[k] = 0.999f * v[k] + (1f - 0.999f) * g * g;
                p[k] -= stepSize * m[k] / (MathF.Sqrt(v[k]) / c2 + 1e-8f);
            }
        }
        Assert.Equal(p, w.Data.ToArray());
    }

    [Fact]
    public void Sgd_with_momentum_and_weight_decay_follows_torch_formulas()
    {
        var w = Tensor.FromArray([1f, -2f], Shape.Vector(2), requiresGrad: true);
        var sgd = new Sgd([new NamedParameter("layer.weight", w)], learningRate: 0.1f, momentum: 0.5f, weightDecay: 0.1f);
        w.ZeroGrad();
        w.Grad[0] = 1f; w.Grad[1] = 1f;
        sgd.Step();   // g = 1 + 0.1·p = (1.1, 0.8); buf = g; p = (0.89, −2.08)
        Assert.Equal(0.89f, w.Data[0], 5);
        Assert.Equal(-2.08f, w.Data[1], 5);
        sgd.Step();   // g = 1 + 0.1·p = (1.089, 0.792); buf = 0.5·(1.1, 0.8) + g
        Assert.Equal(0.89f - 0.1f * (0.55f + 1.089f), w.Data[0], 5);
        Assert.Equal(-2.08f - 0.1f * (0.4f + 0.792f), w.Data[1], 5);
    }

    [Fact]
    public void Weight_decay_skips_biases_and_log_alpha()
    {
        var bias = Tensor.FromArray([1f], Shape.Vector(1), requiresGrad: true);
        var logAlpha = Tensor.FromArray([1f], Shape.Vector(1), requiresGrad: true);
        bias.ZeroGrad();
        logAlpha.ZeroGrad();
        new Sgd([new("l.bias", bias), new("routing.0.log_alpha", logAlpha)], 0.1f, weightDecay: 1f).Step();
        Assert.Equal(1f, bias.Data[0]);
        Assert.Equal(1f, logAlpha.Data[0]);
    }

    [Fact]
    public void Parameters_without_gradients_are_left_alone()
    {
        var p = Tensor.FromArray([3f], Shape.Vector(1), requiresGrad: true);
        new Adam([new("p", p)]).Step();
        Assert.Equal(3f, p.Data[0]);
    }

    [Fact]
    public void Clipping_scales_to_the_maximum_global_norm()
    {
        var a = Tensor.Zeros(Shape.Vector(1), requiresGrad: true);
        var b = Tensor.Zeros(Shape.Vector(1), requiresGrad: true);
        a.ZeroGrad(); b.ZeroGrad();
        a.Grad[0] = 3; b.Grad[0] = 4;
        NamedParameter[] ps = [new("a", a), new("b", b)];
        Assert.Equal(5f, GradientClipping.ClipByGlobalNorm(ps, 1f), 5);
        Assert.Equal(0.6f, a.Grad[0], 4);
        Assert.Equal(0.8f, b.Grad[0], 4);
        Assert.Equal(1f, GradientClipping.ClipByGlobalNorm(ps, 2f), 4);   // below the maximum: untouched
        Assert.Equal(0.6f, a.Grad[0], 4);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByGlobalNorm(ps, 0f));
    }

    [Fact]
    public void Bad_hyper_parameters_throw()
    {
        NamedParameter[] none = [];
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(none, learningRate: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(none, beta1: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(none, 0.1f, momentum: -0.1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(none, 0.1f, weightDecay: -1));
    }
}
