using Snr.Autograd;

namespace Snr.Core.Training;

/// <summary>
/// Drives a differentiable cost c toward a target t with the Lagrangian of Wang, Wohlwend &amp; Lei
/// (2020, "Structured Pruning of Large Language Models"): the loss gains
/// <c>λ₁·(c − t) + λ₂·(c − t)²</c>, which the model minimises while the multipliers take a step of
/// gradient ascent on it, <c>λ₁ += η·(c − t)</c>, <c>λ₂ += η·(c − t)²</c>. The target is ramped
/// linearly from 1 (the dense model) down to its final value over the warm-up steps.
/// </summary>
public sealed class BudgetController
{
    private readonly Tensor _target = Tensor.Zeros(Shape.Scalar);

    /// <summary>Creates the controller with λ₁ = λ₂ = 0.</summary>
    /// <param name="target">The final target t, a fraction of the dense cost in (0, 1].</param>
    /// <param name="warmupSteps">Steps over which the target falls from 1 to <paramref name="target"/> (0: at once).</param>
    /// <param name="learningRate">η, the ascent step of the multipliers.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public BudgetController(double target, long warmupSteps, double learningRate)
    {
        if (!(target > 0 && target <= 1)) throw new ArgumentOutOfRangeException(nameof(target), target, "must be in (0, 1]");
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        if (!(learningRate > 0 && double.IsFinite(learningRate))) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be positive");
        FinalTarget = target;
        WarmupSteps = warmupSteps;
        LearningRate = learningRate;
    }

    /// <summary>The target at the end of the warm-up.</summary>
    public double FinalTarget { get; }

    /// <summary>The warm-up length in steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>η.</summary>
    public double LearningRate { get; }

    /// <summary>λ₁ (may become negative when the cost falls below the target).</summary>
    public double Lambda1 { get; private set; }

    /// <summary>λ₂ (never negative).</summary>
    public double Lambda2 { get; private set; }

    /// <summary>Steps taken (calls of <see cref="Term"/>).</summary>
    public long Steps { get; private set; }

    /// <summary>The target of the current step: 1 − (1 − t)·min(1, steps / warm-up).</summary>
    public double Target => WarmupSteps == 0 ? FinalTarget : 1 - (1 - FinalTarget) * Math.Min(1.0, (double)Steps / WarmupSteps);

    /// <summary>
    /// The Lagrangian term λ₁·(c − t) + λ₂·(c − t)² for this step's cost <paramref name="cost"/> (a
    /// differentiable scalar); then updates the multipliers by ascent and advances the ramp.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="cost"/> is not a scalar.</exception>
    public Tensor Term(Tensor cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        if (cost.Size != 1) throw new ArgumentException($"The cost must be a scalar, got shape {cost.Shape}.", nameof(cost));
        double target = Target;
        _target.Data[0] = (float)target;
        var gap = Ops.Subtract(cost, _target);
        var term = Ops.Add(Ops.Scale(gap, (float)Lambda1), Ops.Scale(Ops.Multiply(gap, gap), (float)Lambda2));
        double g = cost.Item() - target;
        Lambda1 += LearningRate * g;
        Lambda2 += LearningRate * g * g;
        Steps++;
        return term;
    }
}
