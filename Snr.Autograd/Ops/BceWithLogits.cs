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
    public static Tensor BceWithLogits(Tensor logits, Tensor targets, Tensor? weights)
    {
        if (logits.Size != targets.Size)
            throw ShapeMismatch(nameof(BceWithLogits), "they must have the same number of elements", logits, "logits", targets, "targets");
        if (weights is not null && weights.Size != logits.Size)
            throw ShapeMismatch(nameof(BceWithLogits), "they must have the same number of elements", logits, "logits", weights, "weights");
        bool tracks = Tracks(logits);
        var y = Result(Shape.Scalar, tracks);
        ReadOnlySpan<float> z = logits.Data, t = targets.Data;
        double sum = 0, weightSum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            float w = RowWeight(weights, i);
            if (w == 0f) continue;
            sum += w * (Math.Max(z[i], 0.0) - (double)z[i] * t[i] + Math.Log(1.0 + Math.Exp(-Math.Abs((double)z[i]))));
            weightSum += w;
        }
        y.Data[0] = weightSum == 0 ? 0f : (float)(sum / weightSum);
        if (tracks) Tape.Current.Record(y, new BceWithLogitsOp(logits, targets, weights, (float)weightSum));
        return y;
    }

    // dz += dy·w·(σ(z) − t)/Σw
    private readonly record struct BceWithLogitsOp(Tensor Logits, Tensor Targets, Tensor? Weights, float WeightSum) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            if (WeightSum == 0f) return;
            Span<float> dz = tape.GradOf(Logits);
            ReadOnlySpan<float> z = Logits.Data, t = Targets.Data;
            float scale = output.Grad[0] / WeightSum;
            for (int i = 0; i < z.Length; i++)
            {
                float w = RowWeight(Weights, i);
                if (w != 0f) dz[i] += scale * w * (1f / (1f + MathF.Exp(-z[i])) - t[i]);
            }
        }
    }

    // The weight of element i of a weighted loss (1 without weights); a negative or non-finite weight is an error.
    private static float RowWeight(Tensor? weights, int i)
    {
        if (weights is null) return 1f;
        float w = weights.Data[i];
        return w >= 0f && float.IsFinite(w) ? w : throw new ArgumentException($"Loss weight {i} is {w}; weights must be finite and non-negative.", nameof(weights));
    }
}
