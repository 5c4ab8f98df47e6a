using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// The mixture of experts of MMoE, one weighting per row: <c>y[r] = Σ_k w[r, k]·x[r, block k]</c>,
    /// where x holds E expert outputs of width h side by side and w one weight per row and
    /// expert (usually a softmax gate).
    /// </summary>
    /// <param name="experts">[batch, E·h].</param>
    /// <param name="weights">[batch, E].</param>
    /// <returns>[batch, h].</returns>
    /// <exception cref="ArgumentException">Either is not a matrix, the row counts differ, or the experts' columns do not split into weights.Cols blocks.</exception>
    public static Tensor MixExperts(Tensor experts, Tensor weights)
    {
        RequireMatrix(nameof(MixExperts), experts, nameof(experts));
        RequireMatrix(nameof(MixExperts), weights, nameof(weights));
        int batch = experts.Rows, e = weights.Cols;
        if (weights.Rows != batch || e == 0 || experts.Cols % e != 0)
            throw ShapeMismatch(nameof(MixExperts), "weights must be [batch, E] and the experts [batch, E·h]", experts, "experts", weights, "weights");
        int h = experts.Cols / e;
        bool tracks = Tracks(experts, weights);
        var y = Result(Shape.Matrix(batch, h), tracks);
        BlockSums.PerRow(batch, e, h, experts.Data, weights.Data, e, y.Data, h);
        if (tracks) Tape.Current.Record(y, new MixExpertsOp(experts, weights));
        return y;
    }

    // dx[r, block k] += w[r, k]·dy[r];  dw[r, k] += ⟨dy[r], x[r, block k]⟩
    private readonly record struct MixExpertsOp(Tensor Experts, Tensor Weights) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor experts = Experts, weights = Weights, y = output;
            int batch = experts.Rows, e = weights.Cols, h = y.Cols;
            Span<float> dx = GradOrEmpty(tape, experts), dw = GradOrEmpty(tape, weights);
            ReadOnlySpan<float> x = experts.Data, w = weights.Data;
            for (int r = 0; r < batch; r++)
            {
                ReadOnlySpan<float> dyr = y.Grad.Slice(r * h, h);
                for (int k = 0; k < e; k++)
                    BlockConnectionBackward(dyr, w[r * e + k], x, dx, r * experts.Cols + k * h, dw, r * e + k);
            }
        }
    }
}
