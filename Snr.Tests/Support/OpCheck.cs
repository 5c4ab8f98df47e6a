namespace Snr.Tests.Support;

/// <summary>
/// The one helper every op test goes through (tinygrad's way): run the op, project its
/// output on a fixed random direction dout so that the loss sum(output ⊙ dout) exercises
/// the whole Jacobian, and compare against a reference — libtorch's golden values or
/// central finite differences.
/// </summary>
public static class OpCheck
{
    public const double OutputTolerance = 1e-4, GradientTolerance = 1e-3;

    /// <summary>
    /// Runs a golden case: <paramref name="op"/> gets the case's inputs (requiring gradients)
    /// and the case itself (for constants); output and every gradient must match libtorch.
    /// </summary>
    public static void AgainstGolden(string caseName, Func<IReadOnlyDictionary<string, Tensor>, GoldenCase, Tensor> op)
    {
        var golden = Golden.Case(caseName);
        Tape.Current.Reset();
        var inputs = golden.Inputs.ToDictionary(p => p.Key, p => p.Value.ToTensor(requiresGrad: true));
        var output = op(inputs, golden);

        Assert.Equal(Shape.Of(golden.Output!.Shape), output.Shape);
        TensorAssert.Close(golden.Output.Data, output.Data, OutputTolerance, $"{caseName} output");

        var dout = golden.Dout!.ToTensor();
        Ops.Sum(Ops.Multiply(output, dout)).Backward();
        foreach (var (name, expected) in golden.Grads)
            TensorAssert.Close(expected.Data, inputs[name].Grad, GradientTolerance, $"{caseName} d/d{name}");
        Tape.Current.Reset();
    }

    /// <summary>Checks every input's gradient of sum(op(inputs) ⊙ dout) against central finite differences.</summary>
    public static void AgainstFiniteDifferences(Func<Tensor[], Tensor> op, params Tensor[] inputs) =>
        AgainstFiniteDifferences(op, inputs, epsilon: 1e-2f, tolerance: 5e-3);

    public static void AgainstFiniteDifferences(Func<Tensor[], Tensor> op, Tensor[] inputs, float epsilon, double tolerance)
    {
        Shape outputShape;
        using (Tape.NoGrad()) outputShape = op(inputs).Shape;
        var dout = TestData.Normal(outputShape, seed: 977, requiresGrad: false);
        var result = GradientChecker.Check(() => Ops.Sum(Ops.Multiply(op(inputs), dout)), inputs, epsilon, tolerance);
        Assert.True(result.Passed, result.ToString());
    }
}
