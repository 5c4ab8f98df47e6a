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
    public static Tensor MseLoss(Tensor predictions, Tensor targets, Tensor? weights)
    {
        if (predictions.Size != targets.Size)
            throw ShapeMismatch(nameof(MseLoss), "they must have the same number of elements", predictions, "predictions", targets, "targets");
        if (weights is not null && weights.Size != predictions.Size)
            throw ShapeMismatch(nameof(MseLoss), "they must have the same number of elements", predictions, "predictions", weights, "weights");
        bool tracks = Tracks(predictions);
        var y = Result(Shape.Scalar, tracks);
        ReadOnlySpan<float> p = predictions.Data, t = targets.Data;
        double sum = 0, weightSum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            float w = RowWeight(weights, i);
            if (w == 0f) continue;
            double d = (double)p[i] - t[i];
            sum += w * d * d;
            weightSum += w;
        }
        y.Data[0] = weightSum == 0 ? 0f : (float)(sum / weightSum);
        if (tracks) Tape.Current.Record(y, new MseLossOp(predictions, targets, weights, (float)weightSum));
        return y;
    }

    // dp += dy·2w(p − t)/Σw
    private readonly record struct MseLossOp(Tensor Predictions, Tensor Targets, Tensor? Weights, float WeightSum) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            if (WeightSum == 0f) return;
            Span<float> dp = tape.GradOf(Predictions);
            float scale = 2f * output.Grad[0] / WeightSum;
            for (int i = 0; i < dp.Length; i++)
            {
                float w = RowWeight(Weights, i);
                if (w != 0f) dp[i] += scale * w * (Predictions.Data[i] - Targets.Data[i]);
            }
        }
    }
}
