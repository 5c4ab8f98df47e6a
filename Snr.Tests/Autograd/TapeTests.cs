namespace Snr.Tests.Autograd;

public class TapeTests
{
    public TapeTests() => Tape.Current.Reset();

    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_zeroed()
    {
        var w = Tensor.FromArray([2f, -3f], Shape.Vector(2), requiresGrad: true);
        Ops.Sum(Ops.Scale(w, 5f)).Backward();
        Ops.Sum(Ops.Scale(w, 5f)).Backward();
        Assert.Equal([10f, 10f], w.Grad.ToArray());
        w.ZeroGrad();
        Ops.Sum(w).Backward();
        Assert.Equal([1f, 1f], w.Grad.ToArray());
    }

    [Fact]
    public void A_tensor_used_twice_receives_both_gradients()
    {
        var x = Tensor.FromArray([3f], Shape.Vector(1), requiresGrad: true);
        Ops.Sum(Ops.Multiply(x, x)).Backward(); // d(x²)/dx = 2x
        Assert.Equal(6f, x.Grad[0]);
    }

    [Fact]
    public void Backward_on_a_non_scalar_without_a_seed_says_what_to_do()
    {
        var x = TestData.Normal(Shape.Matrix(5, 7), 1);
        var y = Ops.Tanh(x);
        var error = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("scalar", error.Message);
        Assert.Contains("[5, 7]", error.Message);
    }

    [Fact]
    public void Backward_with_a_seed_propagates_it()
    {
        var x = Tensor.FromArray([1f, 2f], Shape.Vector(2), requiresGrad: true);
        Ops.Scale(x, 3f).Backward([1f, -1f]);
        Assert.Equal([3f, -3f], x.Grad.ToArray());
        Assert.Throws<ArgumentException>(() => Ops.Scale(x, 3f).Backward([1f]));
    }

    [Fact]
    public void Backward_from_a_tensor_that_needs_no_gradient_is_refused()
    {
        var x = Tensor.FromArray([1f], Shape.Scalar);
        Assert.Throws<InvalidOperationException>(() => Ops.Sum(x).Backward());
    }

    [Fact]
    public void No_grad_records_nothing_and_returns_ordinary_tensors()
    {
        var w = TestData.Normal(Shape.Matrix(3, 3), 2);
        using (Tape.NoGrad())
        {
            var y = Ops.Tanh(w);
            Assert.False(y.RequiresGrad);
            Assert.Equal(0, Tape.Current.Count);
        }
        Assert.True(Tape.IsGradEnabled);
    }

    [Fact]
    public void Reset_recycles_results_and_keeps_parameter_gradients()
    {
        var w = TestData.Normal(Shape.Matrix(4, 3), 3);
        var x = TestData.Normal(Shape.Matrix(8, 3), 4, requiresGrad: false);
        Ops.Mean(Ops.Relu(Ops.Linear(x, w))).Backward();
        var grad = w.Grad.ToArray();
        Assert.True(Tape.Current.Count > 0);
        Tape.Current.Reset();
        Assert.Equal(0, Tape.Current.Count);
        Assert.Equal(grad, w.Grad.ToArray());
    }

    [Fact]
    public void A_steady_state_training_step_allocates_nothing()
    {
        var x = TestData.Normal(Shape.Matrix(16, 8), 5, requiresGrad: false);
        var targets = Tensor.FromArray(Enumerable.Range(0, 32).Select(i => (float)(i % 2)).ToArray(), Shape.Matrix(16, 2));
        var table = TestData.Normal(Shape.Matrix(10, 4), 6);
        int[] ids = [1, 3, 3, 9, 0, 2, 5, 7, 1, 1, 4, 6, 8, 2, 0, 9];
        var w1 = TestData.Normal(Shape.Matrix(12, 12), 7);
        var b1 = TestData.Normal(Shape.Vector(12), 8);
        var w2 = TestData.Normal(Shape.Matrix(2, 12), 9);

        void Step()
        {
            var input = Ops.ConcatColumns(x, Ops.Embedding(table, ids));
            var hidden = Ops.Relu(Ops.Linear(input, w1, b1));
            var logits = Ops.Linear(hidden, w2);
            var loss = Ops.Add(Ops.BceWithLogits(logits, targets), Ops.Scale(Ops.Mean(Ops.Multiply(w1, w1)), 1e-3f));
            loss.Backward();
            Tape.Current.Reset();
        }

        Step();
        Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Zeros_are_zeros_even_in_a_recycled_buffer()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], Shape.Matrix(2, 3), requiresGrad: true);
        Ops.Relu(x).Data.Fill(7f); // a tape-owned buffer of this shape, left dirty
        Tape.Current.Reset();
        var zeros = Ops.Zeros(2, 3);
        Assert.Equal(new float[6], zeros.Data.ToArray());
        Assert.False(zeros.RequiresGrad);
    }
}
