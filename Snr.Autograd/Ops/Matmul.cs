using Snr.Kernels;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>C = A·B. A: [m, k], B: [k, n], C: [m, n].</summary>
    /// <exception cref="ArgumentException">A or B is not a matrix, or A's columns differ from B's rows.</exception>
    public static Tensor Matmul(Tensor a, Tensor b)
    {
        RequireMatrix(nameof(Matmul), a, nameof(a));
        RequireMatrix(nameof(Matmul), b, nameof(b));
        if (a.Cols != b.Rows)
            throw ShapeMismatch(nameof(Matmul), "A's columns must equal B's rows", a, "A", b, "B");
        int m = a.Rows, k = a.Cols, n = b.Cols;
        bool tracks = Tracks(a, b);
        var c = Result(Shape.Matrix(m, n), tracks);
        Sgemm.Multiply(false, false, m, n, k, 1f, a.Data, k, b.Data, n, 0f, c.Data, n);
        if (tracks) Tape.Current.Record(c, new MatmulOp(a, b));
        return c;
    }

    // dA += dC·Bᵀ  ([m, n]·[n, k]);  dB += Aᵀ·dC  ([k, m]·[m, n])
    private readonly record struct MatmulOp(Tensor A, Tensor B) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Tensor a = A, b = B, c = output;
            int m = a.Rows, k = a.Cols, n = b.Cols;
            if (a.RequiresGrad) Sgemm.Multiply(false, true, m, k, n, 1f, c.Grad, n, b.Data, n, 1f, tape.GradOf(a), k);
            if (b.RequiresGrad) Sgemm.Multiply(true, false, k, n, m, 1f, a.Data, k, c.Grad, n, 1f, tape.GradOf(b), n);
        }
    }
}
