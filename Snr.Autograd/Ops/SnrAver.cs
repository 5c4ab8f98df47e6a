using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// An SNR-Aver routing layer: identity connections scaled by their gates, no
    /// normalisation, <c>y_i = Σ_j z_ij·x_j</c>. All blocks have the same width h.
    /// Connections whose gate is exactly 0 are skipped.
    /// </summary>
    /// <param name="x">[batch, kIn·h].</param>
    /// <param name="gates">[kOut, kIn].</param>
    /// <returns>[batch, kOut·h].</returns>
    /// <remarks>The gradient reported for a gate that is exactly 0 is 0 (see <see cref="SnrTrans"/>).</remarks>
    /// <exception cref="ArgumentException">x's columns do not split into gates.Cols blocks.</exception>
    public static Tensor SnrAver(Tensor x, Tensor gates)
    {
        RequireMatrix(nameof(SnrAver), x, nameof(x));
        RequireMatrix(nameof(SnrAver), gates, nameof(gates));
        int kOut = gates.Rows, kIn = gates.Cols;
        if (kIn == 0 || x.Cols % kIn != 0)
            throw ShapeMismatch(nameof(SnrAver), "x's columns must split into gates.Cols equal blocks", x, "x", gates, "gates");
        int batch = x.Rows, h = x.Cols / kIn, outCols = kOut * h;
        bool tracks = Tracks(x, gates);
        var y = Result(Shape.Matrix(batch, outCols), tracks);
        BlockSums.Gated(batch, kIn, kOut, h, gates.Data, x.Data, y.Data);
        if (tracks) Tape.Current.Record(y, new SnrAverOp(x, gates));
        return y;
    }

    // dx_j += Σ_i z_ij·dy_i;  dz_ij += Σ_rows ⟨dy_i, x_j⟩ (live connections only)
    private readonly record struct SnrAverOp(Tensor X, Tensor Gates) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor x = X, gates = Gates, y = output;
            int kOut = gates.Rows, kIn = gates.Cols, batch = x.Rows, h = x.Cols / kIn;
            ReadOnlySpan<float> z = gates.Data;
            Span<float> dx = GradOrEmpty(tape, x), dz = GradOrEmpty(tape, gates);
            for (int r = 0; r < batch; r++)
                for (int i = 0; i < kOut; i++)
                {
                    ReadOnlySpan<float> dyi = y.Grad.Slice(r * y.Cols + i * h, h);
                    for (int j = 0; j < kIn; j++)
                        if (z[i * kIn + j] != 0f)
                            BlockConnectionBackward(dyi, z[i * kIn + j], x.Data, dx, r * x.Cols + j * h, dz, i * kIn + j);
                }
        }
    }
}
