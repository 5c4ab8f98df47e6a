namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The scalar mean over elements of (p − t)². predictions and targets have the same number
    /// of elements (targets receive no gradient).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ.</exception>
    public static Tensor MseLoss(Tensor predictions, Tensor targets) => MseLoss(predictions, targets, weights: null);

    /// <summary>
    /// The weighted mean Σᵢ wᵢ·(pᵢ − tᵢ)² / Σᵢ wᵢ; 0 when every weight is 0. An element of weight 0
    /// is skipped: it adds no loss and no gradient, and its target is not read (it may be NaN, a
    /// missing label). Targets and weights receive no gradient; null weights are all 1.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ, or a weight is negative or not finite.</exception>
    public static Tensor MseLoss(Tensor predictions, Tensor targets, Tensor? weights) =>
        WeightedMeanLoss<SquaredError>(nameof(MseLoss), predictions, nameof(predictions), targets, weights);

    // ℓ(p, t) = (p − t)²;  ∂ℓ/∂p = 2(p − t)
    private readonly struct SquaredError : IElementLoss
    {
        public static double Loss(float p, float t)
        {
            double d = (double)p - t;
            return d * d;
        }

        public static float Slope(float p, float t) => 2f * (p - t);
    }
}
