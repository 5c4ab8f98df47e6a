namespace Snr.Autograd;

/// <summary>
/// Checks the gradients that back-propagation computes against central finite differences,
/// for any scalar function of tensors — the ops of Snr or ops you add yourself.
/// </summary>
/// <example>
/// <code>
/// var x = Tensor.FromArray(values, Shape.Matrix(3, 4), requiresGrad: true);
/// var result = GradientChecker.Check(() => Ops.Sum(Ops.Tanh(x)), [x]);
/// Assert.True(result.Passed, result.ToString());
/// </code>
/// </example>
public static class GradientChecker
{
    /// <summary>
    /// Computes the analytic gradient of <paramref name="loss"/> with respect to each of
    /// <paramref name="inputs"/> by <see cref="Tensor.Backward()"/>, then each element's
    /// numerical derivative (f(x + ε) − f(x − ε)) / 2ε, and compares them elementwise with
    /// the error |analytic − numeric| / max(|numeric|, 1).
    /// </summary>
    /// <param name="loss">Builds the scalar loss from the inputs; called 2·(number of elements) + 1 times.</param>
    /// <param name="inputs">Tensors with <see cref="Tensor.RequiresGrad"/> set. Their values are restored afterwards; their gradients are overwritten.</param>
    /// <param name="epsilon">The finite-difference step. The default suits float32 losses of order 1.</param>
    /// <param name="tolerance">The largest error that passes.</param>
    /// <exception cref="ArgumentException">An input does not require a gradient.</exception>
    /// <exception cref="InvalidOperationException">The loss is not a scalar.</exception>
    /// <remarks>Resets <see cref="Tape.Current"/> before and after.</remarks>
    public static GradientCheckResult Check(Func<Tensor> loss, IReadOnlyList<Tensor> inputs, float epsilon = 1e-2f, double tolerance = 5e-3)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(inputs);
        for (int i = 0; i < inputs.Count; i++)
            if (!inputs[i].RequiresGrad)
                throw new ArgumentException($"Input {i} {inputs[i].Shape} does not require a gradient.", nameof(inputs));

        var tape = Tape.Current;
        tape.Reset();
        foreach (var t in inputs) t.ZeroGrad();
        loss().Backward();
        var analytic = inputs.Select(t => t.Grad.ToArray()).ToArray();
        tape.Reset();

        var worst = new GradientCheckResult(0, -1, -1, 0, 0, tolerance);
        using (Tape.NoGrad())
        {
            for (int i = 0; i < inputs.Count; i++)
            {
                Span<float> values = inputs[i].Data;
                for (int k = 0; k < values.Length; k++)
                {
                    float original = values[k];
                    values[k] = original + epsilon;
                    double plus = loss().Item();
                    values[k] = original - epsilon;
                    double minus = loss().Item();
                    values[k] = original;
                    double numeric = (plus - minus) / (2.0 * epsilon);
                    double error = Math.Abs(analytic[i][k] - numeric) / Math.Max(Math.Abs(numeric), 1.0);
                    if (error > worst.MaxError || worst.Input < 0)
                        worst = new GradientCheckResult(error, i, k, analytic[i][k], numeric, tolerance);
                }
            }
        }
        return worst;
    }
}

/// <summary>The outcome of <see cref="GradientChecker.Check"/>: the worst element found.</summary>
/// <param name="MaxError">The largest |analytic − numeric| / max(|numeric|, 1) over all elements.</param>
/// <param name="Input">Index of the input holding the worst element (−1 when there were no elements).</param>
/// <param name="Element">Row-major index of the worst element in that input.</param>
/// <param name="Analytic">The back-propagated derivative there.</param>
/// <param name="Numeric">The finite-difference derivative there.</param>
/// <param name="Tolerance">The tolerance the check was run with.</param>
public sealed record GradientCheckResult(double MaxError, int Input, int Element, double Analytic, double Numeric, double Tolerance)
{
    /// <summary>True when <see cref="MaxError"/> is within <see cref="Tolerance"/>.</summary>
    public bool Passed => MaxError <= Tolerance;

    /// <summary>A one-line report naming the worst element.</summary>
    public override string ToString() =>
        $"{(Passed ? "passed" : "FAILED")}: max error {MaxError:G3} (tolerance {Tolerance:G3}) at input {Input}, element {Element}: analytic {Analytic:G6}, numeric {Numeric:G6}";
}
