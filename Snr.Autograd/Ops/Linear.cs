using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// y = x·Wᵀ + b, PyTorch's layout. x: [batch, in], W: [out, in], b: [out] (optional), y: [batch, out].
    /// </summary>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public static Tensor Linear(Tensor x, Tensor weight, Tensor? bias = null)
    {
        RequireMatrix(nameof(Linear), x, nameof(x));
        RequireMatrix(nameof(Linear), weight, nameof(weight));
        if (x.Cols != weight.Cols)
            throw ShapeMismatch(nameof(Linear), "x's columns must equal W's columns (in features)", x, "x", weight, "W");
        if (bias is not null && (bias.Shape.Rank != 1 || bias.Size != weight.Rows))
            throw ShapeMismatch(nameof(Linear), "b must be a vector of W's rows (out features)", bias, "b", weight, "W");
        int batch = x.Rows, inFeatures = x.Cols, outFeatures = weight.Rows;
        bool tracks = Tracks(x, weight, bias);
        var y = Result(Shape.Matrix(batch, outFeatures), tracks);
        Sgemm.Multiply(false, true, batch, outFeatures, inFeatures, 1f, x.Data, inFeatures, weight.Data, inFeatures, 0f, y.Data, outFeatures);
        if (bias is not null) RowOps.AddBias(y.Data, bias.Data, batch, outFeatures);
        if (tracks) Tape.Current.Record(y, new LinearOp(x, weight, bias));
        return y;
    }

    // dx += dy·W ([batch, out]·[out, in]);  dW += dyᵀ·x ([out, batch]·[batch, in]);  db += Σ_rows dy
    private readonly record struct LinearOp(Tensor X, Tensor Weight, Tensor? Bias) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor x = X, w = Weight, y = output;
            int batch = x.Rows, inFeatures = x.Cols, outFeatures = w.Rows;
            if (x.RequiresGrad) Sgemm.Multiply(false, false, batch, inFeatures, outFeatures, 1f, y.Grad, outFeatures, w.Data, inFeatures, 1f, tape.GradOf(x), inFeatures);
            if (w.RequiresGrad) Sgemm.Multiply(true, false, outFeatures, inFeatures, batch, 1f, y.Grad, outFeatures, x.Data, inFeatures, 1f, tape.GradOf(w), inFeatures);
            if (Bias is { RequiresGrad: true } b) RowOps.SumColumns(y.Grad, tape.GradOf(b), batch, outFeatures, accumulate: true);
        }
    }
}
