namespace Snr.Tests.Autograd;

/// <summary>The MMoE mixture op against libtorch and finite differences, with its bad inputs.</summary>
public class MixExpertsTests
{
    public MixExpertsTests() => Tape.Current.Reset();

    // The golden case computes experts and gates too: one Linear for the E stacked experts
    // (We is E blocks of [eh, d]), one softmax gate per task, mixtures side by side.
    [Fact]
    public void Mmoe_mixture_matches_golden() =>
        OpCheck.AgainstGolden("mmoe_mix", (t, _) =>
        {
            var experts = Ops.Relu(Ops.Linear(t["x"], t["We"], t["be"]));
            // E = 3 experts of width 4, T = 2 tasks: all gate logits from one Linear, then a softmax per task.
            const int e = 3, tasks = 2;
            var gateLogits = Ops.Linear(t["x"], t["Wg"], t["bg"]);
            var mixtures = new Tensor[tasks];
            for (int task = 0; task < tasks; task++)
                mixtures[task] = Ops.MixExperts(experts, Ops.SoftmaxRows(Ops.SliceColumns(gateLogits, task * e, e)));
            return Ops.ConcatColumns(mixtures);
        });

    [Theory]
    [InlineData(3, 4, 5)]
    [InlineData(1, 1, 7)]
    [InlineData(5, 3, 1)]
    public void Gradients_match_finite_differences(int batch, int e, int h)
    {
        var x = TestData.Normal(Shape.Matrix(batch, e * h), 40);
        var w = TestData.Normal(Shape.Matrix(batch, e), 41);
        OpCheck.AgainstFiniteDifferences(t => Ops.MixExperts(t[0], t[1]), x, w);
    }

    [Fact]
    public void Bad_shapes_throw_naming_both()
    {
        var x = Tensor.Zeros(3, 8);
        var ex = Assert.Throws<ArgumentException>(() => Ops.MixExperts(x, Tensor.Zeros(2, 4)));
        Assert.Contains("[3, 8]", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
        Assert.Throws<ArgumentException>(() => Ops.MixExperts(x, Tensor.Zeros(3, 3)));
        Assert.Throws<ArgumentException>(() => Ops.MixExperts(x, Tensor.Zeros(Shape.Vector(4))));
    }
}
