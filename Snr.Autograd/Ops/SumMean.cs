using System.Numerics.Tensors;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>The scalar Σ x over all elements.</summary>
    public static Tensor Sum(Tensor x) => ScaledSum(x, 1f);

    /// <summary>The scalar (Σ x) / n over all n elements (0 for an empty tensor).</summary>
    public static Tensor Mean(Tensor x) => ScaledSum(x, x.Size == 0 ? 0f : 1f / x.Size);

    // y = s·Σ x, accumulated in double so that long sums keep their precision
    private static Tensor ScaledSum(Tensor x, float s)
    {
        bool tracks = Tracks(x);
        var y = Result(Shape.Scalar, tracks);
        double sum = 0;
        foreach (float v in x.Data) sum += v;
        y.Data[0] = (float)(s * sum);
        if (tracks) Tape.Current.Record(y, new ScaledSumOp(x, s));
        return y;
    }

    // dx += s·dy (dy a scalar)
    private readonly record struct ScaledSumOp(Tensor X, float Factor) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Span<float> dx = tape.GradOf(X);
            TensorPrimitives.Add(dx, Factor * output.Grad[0], dx);
        }
    }
}
