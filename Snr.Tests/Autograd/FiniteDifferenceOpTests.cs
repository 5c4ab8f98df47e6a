namespace Snr.Tests.Autograd;

/// <summary>Every op's gradients against central finite differences, on shapes golden.json does not have.</summary>
public class FiniteDifferenceOpTests
{
    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 3, 5 }, { 7, 9 }, { 2, 17 } };

    [Theory, MemberData(nameof(Shapes))]
    public void Matmul(int m, int n)
    {
        var a = TestData.Normal(Shape.Matrix(m, 4), 1);
        var b = TestData.Normal(Shape.Matrix(4, n), 2);
        OpCheck.AgainstFiniteDifferences(t => Ops.Matmul(t[0], t[1]), a, b);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Linear(int batch, int outFeatures)
    {
        var x = TestData.Normal(Shape.Matrix(batch, 6), 3);
        var w = TestData.Normal(Shape.Matrix(outFeatures, 6), 4);
        var b = TestData.Normal(Shape.Vector(outFeatures), 5);
        OpCheck.AgainstFiniteDifferences(t => Ops.Linear(t[0], t[1], t[2]), x, w, b);
        OpCheck.AgainstFiniteDifferences(t => Ops.Linear(t[0], t[1]), x, w);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Add_subtract_multiply_same_shape(int rows, int cols)
    {
        var a = TestData.Normal(Shape.Matrix(rows, cols), 6);
        var b = TestData.Normal(Shape.Matrix(rows, cols), 7);
        OpCheck.AgainstFiniteDifferences(t => Ops.Add(t[0], t[1]), a, b);
        OpCheck.AgainstFiniteDifferences(t => Ops.Subtract(t[0], t[1]), a, b);
        OpCheck.AgainstFiniteDifferences(t => Ops.Multiply(t[0], t[1]), a, b);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Add_subtract_multiply_broadcast_a_row(int rows, int cols)
    {
        var a = TestData.Normal(Shape.Matrix(rows, cols), 8);
        var vector = TestData.Normal(Shape.Vector(cols), 9);
        var row = TestData.Normal(Shape.Matrix(1, cols), 10);
        foreach (var b in new[] { vector, row })
        {
            OpCheck.AgainstFiniteDifferences(t => Ops.Add(t[0], t[1]), a, b);
            OpCheck.AgainstFiniteDifferences(t => Ops.Subtract(t[0], t[1]), a, b);
            OpCheck.AgainstFiniteDifferences(t => Ops.Multiply(t[0], t[1]), a, b);
        }
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Scale(int rows, int cols) =>
        OpCheck.AgainstFiniteDifferences(t => Ops.Scale(t[0], -2.5f), TestData.Normal(Shape.Matrix(rows, cols), 11));

    [Theory, MemberData(nameof(Shapes))]
    public void Activations(int rows, int cols)
    {
        var shape = Shape.Matrix(rows, cols);
        OpCheck.AgainstFiniteDifferences(t => Ops.Relu(t[0]), TestData.AwayFromZero(shape, 12));
        OpCheck.AgainstFiniteDifferences(t => Ops.Sigmoid(t[0]), TestData.Normal(shape, 13, std: 3));
        OpCheck.AgainstFiniteDifferences(t => Ops.Tanh(t[0]), TestData.Normal(shape, 14));
        OpCheck.AgainstFiniteDifferences(t => Ops.SoftmaxRows(t[0]), TestData.Normal(shape, 15, std: 2));
    }

    [Theory, MemberData(nameof(Shapes))]
    public void Sum_and_mean(int rows, int cols)
    {
        var x = TestData.Normal(Shape.Matrix(rows, cols), 16);
        OpCheck.AgainstFiniteDifferences(t => Ops.Sum(t[0]), x);
        OpCheck.AgainstFiniteDifferences(t => Ops.Mean(t[0]), x);
    }

    [Fact]
    public void Concat_and_slice_columns()
    {
        var a = TestData.Normal(Shape.Matrix(4, 3), 17);
        var b = TestData.Normal(Shape.Matrix(4, 1), 18);
        var c = TestData.Normal(Shape.Matrix(4, 5), 19);
        OpCheck.AgainstFiniteDifferences(t => Ops.ConcatColumns(t[0], t[1], t[2]), a, b, c);
        OpCheck.AgainstFiniteDifferences(t => Ops.SliceColumns(t[0], 1, 3), c);
        // A split whose parts are used differently: each part's gradient lands in its own columns.
        OpCheck.AgainstFiniteDifferences(t =>
        {
            var parts = Ops.SplitColumns(t[0], 2, 3);
            return Ops.ConcatColumns(Ops.Tanh(parts[1]), Ops.Scale(parts[0], 3f));
        }, c);
    }

    [Fact]
    public void Embedding_with_repeated_indices()
    {
        var table = TestData.Normal(Shape.Matrix(5, 3), 20);
        int[] indices = [4, 0, 4, 2, 4];
        OpCheck.AgainstFiniteDifferences(t => Ops.Embedding(t[0], indices), table);
    }

    [Fact]
    public void Losses()
    {
        var logits = TestData.Normal(Shape.Matrix(6, 2), 21, std: 3);
        var predictions = TestData.Normal(Shape.Vector(12), 22);
        var targets = Tensor.FromArray([1, 0, 0, 1, 1, 1, 0, 0, 1, 0, 1, 0], Shape.Vector(12));
        OpCheck.AgainstFiniteDifferences(t => Ops.BceWithLogits(t[0], targets), logits);
        OpCheck.AgainstFiniteDifferences(t => Ops.MseLoss(t[0], targets), predictions);
    }

    [Fact]
    public void A_small_network_end_to_end()
    {
        var x = TestData.Normal(Shape.Matrix(5, 4), 23);
        var w1 = TestData.Normal(Shape.Matrix(6, 4), 24);
        var b1 = TestData.Normal(Shape.Vector(6), 25);
        var w2 = TestData.Normal(Shape.Matrix(2, 6), 26);
        var targets = Tensor.FromArray([1, 0, 0, 1, 1, 1, 0, 0, 1, 0], Shape.Matrix(5, 2));
        OpCheck.AgainstFiniteDifferences(
            t => Ops.BceWithLogits(Ops.Linear(Ops.Tanh(Ops.Linear(t[0], t[1], t[2])), t[3]), targets), x, w1, b1, w2);
    }
}
