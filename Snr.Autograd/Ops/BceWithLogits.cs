namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The scalar mean over elements of −[t·log σ(z) + (1 − t)·log(1 − σ(z))], computed as
    /// max(z, 0) − z·t + log(1 + exp(−|z|)), which is exact and finite for any logit z.
    /// logits and targets have the same number of elements (targets receive no gradient).
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ.</exception>
    public static Tensor BceWithLogits(Tensor logits, Tensor targets)
    {
        if (logits.Size != targets.Size)
            throw ShapeMismatch(nameof(BceWithLogits), "they must have the same number of elements", logits, "logits", targets, "targets");
        bool tracks = Tracks(logits);
        var y = Result(Shape.Scalar, tracks);
        ReadOnlySpan<float> z = logits.Data, t = targets.Data;
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
            sum += Math.Max(z[i], 0.0) - (double)z[i] * t[i] + Math.Log(1.0 + Math.Exp(-Math.Abs((double)z[i])));
        y.Data[0] = z.Length == 0 ? 0f : (float)(sum / z.Length);
        if (tracks) Tape.Current.Record(y, new BceWithLogitsOp(logits, targets));
        return y;
    }

    // dz += dy·(σ(z) − t)/n
    private readonly record struct BceWithLogitsOp(Tensor Logits, Tensor Targets) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor logits = Logits, targets = Targets;
            Span<float> dz = tape.GradOf(logits);
            ReadOnlySpan<float> z = logits.Data, t = targets.Data;
            float scale = output.Grad[0] / z.Length;
            for (int i = 0; i < z.Length; i++)
                dz[i] += scale * (1f / (1f + MathF.Exp(-z[i])) - t[i]);
        }
    }
}
