namespace Snr.Tests.Autograd;

/// <summary>Every op that golden.json has a case for, against libtorch (float64).</summary>
public class GoldenOpTests
{
    [Fact]
    public void Linear() => OpCheck.AgainstGolden("linear", (t, _) => Ops.Linear(t["x"], t["W"], t["b"]));

    [Fact]
    public void Relu() => OpCheck.AgainstGolden("relu", (t, _) => Ops.Relu(t["x"]));

    [Fact]
    public void Sigmoid() => OpCheck.AgainstGolden("sigmoid", (t, _) => Ops.Sigmoid(t["x"]));

    [Fact]
    public void Tanh() => OpCheck.AgainstGolden("tanh", (t, _) => Ops.Tanh(t["x"]));

    [Fact]
    public void SoftmaxRows() => OpCheck.AgainstGolden("softmax_rows", (t, _) => Ops.SoftmaxRows(t["x"]));

    [Fact]
    public void BceWithLogitsMean() =>
        OpCheck.AgainstGolden("bce_with_logits_mean", (t, c) => Ops.BceWithLogits(t["logits"], c.Constants["targets"].ToTensor()));

    [Fact]
    public void MseMean() =>
        OpCheck.AgainstGolden("mse_mean", (t, c) => Ops.MseLoss(t["pred"], c.Constants["targets"].ToTensor()));

    [Fact]
    public void Embedding() =>
        OpCheck.AgainstGolden("embedding", (t, c) => Ops.Embedding(t["table"], c.Constants["indices"].ToInts()));

    [Fact]
    public void Golden_relu_case_contains_an_exact_zero_so_the_convention_is_tested()
    {
        var x = Golden.Case("relu").Inputs["x"].Data;
        Assert.Contains(0.0, x);
    }
}
