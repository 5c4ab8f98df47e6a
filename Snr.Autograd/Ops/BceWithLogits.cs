namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The scalar mean over elements of −[t·log σ(z) + (1 − t)·log(1 − σ(z))], computed as
    /// max(z, 0) − z·t + log(1 + exp(−|z|)), which is exact and finite for any logit z.
    /// logits and targets have the same number of elements (targets receive no gradient).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ.</exception>
    public static Tensor BceWithLogits(Tensor logits, Tensor targets) => BceWithLogits(logits, targets, weights: null);

    /// <summary>
    /// The weighted mean Σᵢ wᵢ·ℓᵢ / Σᵢ wᵢ of the binary cross-entropies ℓᵢ of
    /// <see cref="BceWithLogits(Tensor, Tensor)"/>; 0 when every weight is 0. An element of
    /// weight 0 is skipped: it adds no loss and no gradient, and its target is not read (it
    /// may be NaN, a missing label). Targets and weights receive no gradient; null weights are all 1.
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ, or a weight is negative or not finite.</exception>
    public static Tensor BceWithLogits(Tensor logits, Tensor targets, Tensor? weights) =>
        WeightedMeanLoss<LogisticLoss>(nameof(BceWithLogits), logits, nameof(logits), targets, weights);

    // ℓ(z, t) = max(z, 0) − z·t + log(1 + exp(−|z|));  ∂ℓ/∂z = σ(z) − t
    private readonly struct LogisticLoss : IElementLoss
    {
        public static double Loss(float z, float t) => Math.Max(z, 0.0) - (double)z * t + Math.Log(1.0 + Math.Exp(-Math.Abs((double)z)));

        public static float Slope(float z, float t) => 1f / (1f + MathF.Exp(-z)) - t;
    }
}
