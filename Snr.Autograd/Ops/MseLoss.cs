namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The scalar mean over elements of (p − t)². predictions and targets have the same number
    /// of elements (targets receive no gradient).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ.</exception>
    public static Tensor MseLoss(Tensor predictions, Tensor targets)
    {
        if (predictions.Size != targets.Size)
            throw ShapeMismatch(nameof(MseLoss), "they must have the same number of elements", predictions, "predictions", targets, "targets");
        bool tracks = Tracks(predictions);
        var y = Result(Shape.Scalar, tracks);
        ReadOnlySpan<float> p = predictions.Data, t = targets.Data;
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double d = (double)p[i] - t[i];
            sum += d * d;
        }
        y.Data[0] = p.Length == 0 ? 0f : (float)(sum / p.Length);
        if (tracks) Tape.Current.Record(y, new MseLossOp(predictions, targets));
        return y;
    }

    // dp += dy·2(p − t)/n
    private readonly record struct MseLossOp(Tensor Predictions, Tensor Targets) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor p = Predictions, t = Targets;
            Span<float> dp = tape.GradOf(p);
            float scale = 2f * output.Grad[0] / p.Size;
            for (int i = 0; i < dp.Length; i++)
                dp[i] += scale * (p.Data[i] - t.Data[i]);
        }
    }
}
