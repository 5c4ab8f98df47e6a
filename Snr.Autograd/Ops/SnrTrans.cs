using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// An SNR-Trans routing layer (before its activation): input block j of width hIn reaches
    /// output block i of width hOut through the weight block W_ij scaled by its gate,
    /// <c>y_i = Σ_j z_ij·x_j·W_ijᵀ + b_i</c>. Blocks whose gate is exactly 0 cost nothing,
    /// forward and backward (<see cref="RoutedMatmul"/>).
    /// </summary>
    /// <param name="x">[batch, kIn·hIn]: kIn input blocks side by side.</param>
    /// <param name="weight">[kOut·hOut, kIn·hIn] (PyTorch's Linear layout); block (i, j) is rows i·hOut…, columns j·hIn….</param>
    /// <param name="bias">[kOut·hOut], or null.</param>
    /// <param name="gates">[kOut, kIn], the coding variables z (usually the output of <see cref="HardConcreteGates"/>).</param>
    /// <returns>[batch, kOut·hOut].</returns>
    /// <remarks>
    /// The gradient reported for a gate that is exactly 0 is 0, because its block is skipped.
    /// For hard-concrete gates that is exact (the clamp makes dz/dlog_alpha zero there).
    /// </remarks>
    /// <exception cref="ArgumentException">The shapes do not describe a kOut × kIn grid of blocks.</exception>
    public static Tensor SnrTrans(Tensor x, Tensor weight, Tensor? bias, Tensor gates)
    {
        RequireMatrix(nameof(SnrTrans), x, nameof(x));
        RequireMatrix(nameof(SnrTrans), weight, nameof(weight));
        RequireMatrix(nameof(SnrTrans), gates, nameof(gates));
        int kOut = gates.Rows, kIn = gates.Cols;
        if (x.Cols != weight.Cols)
            throw ShapeMismatch(nameof(SnrTrans), "x's columns must equal the weight's columns", x, "x", weight, "weight");
        if (kIn == 0 || kOut == 0 || x.Cols % kIn != 0 || weight.Rows % kOut != 0)
            throw ShapeMismatch(nameof(SnrTrans), "the weight must split into gates.Rows × gates.Cols equal blocks", weight, "weight", gates, "gates");
        if (bias is not null && (bias.Shape.Rank != 1 || bias.Size != weight.Rows))
            throw ShapeMismatch(nameof(SnrTrans), "the bias must be a vector of the weight's rows", bias, "bias", weight, "weight");
        int batch = x.Rows, hIn = x.Cols / kIn, hOut = weight.Rows / kOut;

        bool tracks = Tracks(x, weight, bias) || Tracks(gates);
        var y = Result(Shape.Matrix(batch, weight.Rows), tracks);
        RoutedMatmul.Forward(batch, kIn, hIn, kOut, hOut, gates.Data, x.Data, weight.Data, 0f, y.Data);
        if (bias is not null) RowOps.AddBias(y.Data, bias.Data, batch, weight.Rows);
        if (tracks)
        {
            Tape.Current.Record(y, new SnrTransOp(x, weight, bias, gates));
        }
        return y;
    }

    // dx_j += Σ_i z_ij·dy_i·W_ij;  G_ij = dy_iᵀ·x_j;  dW_ij += z_ij·G_ij;  dz_ij += ⟨W_ij, G_ij⟩;  db += Σ_rows dy
    private readonly record struct SnrTransOp(Tensor X, Tensor Weight, Tensor? Bias, Tensor Gates) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor x = X, weight = Weight, gates = Gates, y = output;
            int kOut = gates.Rows, kIn = gates.Cols, batch = x.Rows;
            RoutedMatmul.Backward(batch, kIn, x.Cols / kIn, kOut, weight.Rows / kOut, gates.Data, x.Data, weight.Data, y.Grad,
                GradOrEmpty(tape, x), GradOrEmpty(tape, weight), GradOrEmpty(tape, gates));
            if (Bias is { RequiresGrad: true } bias)
                RowOps.SumColumns(y.Grad, tape.GradOf(bias), batch, weight.Rows, accumulate: true);
        }
    }
}
