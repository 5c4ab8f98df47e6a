namespace Snr.Autograd;

public static partial class Ops
{
    // An element-wise loss ℓ(p, t) of a prediction p and a target t, and its slope ∂ℓ/∂p.
    private interface IElementLoss
    {
        static abstract double Loss(float p, float t);

        static abstract float Slope(float p, float t);
    }

    // The scalar Σᵢ wᵢ·ℓ(pᵢ, tᵢ) / Σᵢ wᵢ over the elements of non-zero weight (0 when every weight is 0); the
    // shared forward of the weighted losses. An element of weight 0 is skipped, its target unread.
    private static Tensor WeightedMeanLoss<TLoss>(string op, Tensor predictions, string predictionsName, Tensor targets, Tensor? weights)
        where TLoss : IElementLoss
    {
        if (predictions.Size != targets.Size)
            throw ShapeMismatch(op, "they must have the same number of elements", predictions, predictionsName, targets, "targets");
        if (weights is not null && weights.Size != predictions.Size)
            throw ShapeMismatch(op, "they must have the same number of elements", predictions, predictionsName, weights, "weights");
        bool tracks = Tracks(predictions);
        var y = Result(Shape.Scalar, tracks);
        ReadOnlySpan<float> p = predictions.Data, t = targets.Data;
        double sum = 0, weightSum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            float w = RowWeight(weights, i);
            if (w == 0f) continue;
            sum += w * TLoss.Loss(p[i], t[i]);
            weightSum += w;
        }
        y.Data[0] = weightSum == 0 ? 0f : (float)(sum / weightSum);
        if (tracks) Tape.Current.Record(y, new WeightedMeanLossOp<TLoss>(predictions, targets, weights, (float)weightSum));
        return y;
    }

    // dp += dy·w·ℓ'(p, t)/Σw
    private readonly record struct WeightedMeanLossOp<TLoss>(Tensor Predictions, Tensor Targets, Tensor? Weights, float WeightSum) : IRecordedOp
        where TLoss : IElementLoss
    {
        public void Backward(Tape tape, Tensor output)
        {
            if (WeightSum == 0f) return;
            Span<float> dp = tape.GradOf(Predictions);
            ReadOnlySpan<float> p = Predictions.Data, t = Targets.Data;
            float scale = output.Grad[0] / WeightSum;
            for (int i = 0; i < dp.Length; i++)
            {
                float w = RowWeight(Weights, i);
                if (w != 0f) dp[i] += scale * w * TLoss.Slope(p[i], t[i]);
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
