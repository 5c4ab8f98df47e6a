namespace Snr.Core.Training;

/// <summary>
/// A training step produced a loss or a gradient that is NaN or infinite. The step was not
/// applied: the model keeps the weights of the last good step.
/// </summary>
public sealed class NonFiniteTrainingException : ArithmeticException
{
    /// <summary>Creates the exception for step <paramref name="step"/> (1-based).</summary>
    public NonFiniteTrainingException(long step, string task, string tensor, float value)
        : base($"Training step {step}: {tensor} of task '{task}' is {value}; the step was not applied and the weights are those of step {step - 1}. " +
               "Lower the learning rate, clip gradients (max_grad_norm), check the data, or set skip_non_finite_batches.")
    {
        Step = step;
        Task = task;
        Tensor = tensor;
    }

    /// <summary>The 1-based step that failed.</summary>
    public long Step { get; }

    /// <summary>The task whose loss was not finite, or "all" for a parameter gradient (which mixes every task).</summary>
    public string Task { get; }

    /// <summary>What was not finite: <c>loss</c>, <c>l0 penalty</c>, or the gradient of a named parameter.</summary>
    public string Tensor { get; }
}
