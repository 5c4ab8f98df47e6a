namespace Snr.Tests.Autograd;

/// <summary>Shape mismatches throw ArgumentException naming both shapes.</summary>
public class BadInputTests
{
    private static void AssertNamesBoth(Action op, string first, string second)
    {
        var error = Assert.ThrowsAny<ArgumentException>(op);
        Assert.Contains(first, error.Message);
        Assert.Contains(second, error.Message);
    }

    [Fact]
    public void Matmul_inner_dimensions() =>
        AssertNamesBoth(() => Ops.Matmul(Tensor.Zeros(2, 3), Tensor.Zeros(4, 5)), "[2, 3]", "[4, 5]");

    [Fact]
    public void Linear_in_features_and_bias() 
    {
        AssertNamesBoth(() => Ops.Linear(Tensor.Zeros(5, 7), Tensor.Zeros(4, 6)), "[5, 7]", "[4, 6]");
        AssertNamesBoth(() => Ops.Linear(Tensor.Zeros(5, 7), Tensor.Zeros(4, 7), Tensor.Zeros(Shape.Vector(3))), "[3]", "[4, 7]");
    }

    [Fact]
    public void Elementwise_shapes()
    {
        AssertNamesBoth(() => Ops.Add(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)), "[2, 3]", "[3, 2]");
        AssertNamesBoth(() => Ops.Subtract(Tensor.Zeros(2, 3), Tensor.Zeros(Shape.Vector(2))), "[2, 3]", "[2]");
        AssertNamesBoth(() => Ops.Multiply(Tensor.Zeros(2, 3), Tensor.Zeros(2, 1)), "[2, 3]", "[2, 1]");
    }

    [Fact]
    public void Losses_and_concat()
    {
        AssertNamesBoth(() => Ops.BceWithLogits(Tensor.Zeros(4, 1), Tensor.Zeros(Shape.Vector(3))), "[4, 1]", "[3]");
        AssertNamesBoth(() => Ops.MseLoss(Tensor.Zeros(4, 1), Tensor.Zeros(Shape.Vector(5))), "[4, 1]", "[5]");
        AssertNamesBoth(() => Ops.ConcatColumns(Tensor.Zeros(4, 1), Tensor.Zeros(3, 1)), "[4, 1]", "[3, 1]");
    }

    [Fact]
    public void Embedding_index_out_of_range_names_index_and_table()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Ops.Embedding(Tensor.Zeros(6, 4), [1, 6]));
        Assert.Contains("6", error.Message);
        Assert.Contains("[6, 4]", error.Message);
    }

    [Fact]
    public void Tensor_from_too_few_values() =>
        Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f], Shape.Matrix(2, 2)));

    [Fact]
    public void Bce_is_finite_and_exact_for_huge_logits()
    {
        var logits = Tensor.FromArray([60f, -60f, 1e4f, -1e4f], Shape.Vector(4), requiresGrad: true);
        var targets = Tensor.FromArray([1f, 0f, 0f, 1f], Shape.Vector(4));
        var loss = Ops.BceWithLogits(logits, targets);
        // Two confident right answers cost ~0; two confident wrong ones cost |z| each.
        Assert.Equal((1e4 + 1e4) / 4, loss.Item(), 1e-2);
        loss.Backward();
        TensorAssert.Close([0.0, 0.0, 0.25, -0.25], logits.Grad, 1e-6, "d loss / d logits");
        Tape.Current.Reset();
    }
}
