using System.Numerics.Tensors;

namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>y = s·x for a constant s.</summary>
    public static Tensor Scale(Tensor x, float s)
    {
        bool tracks = Tracks(x);
        var y = Result(x.Shape, tracks);
        TensorPrimitives.Multiply(x.Data, s, y.Data);
        if (tracks) Tape.Current.Record(y, new ScaleOp(x, s));
        return y;
    }

    // dx += s·dy
    private readonly record struct ScaleOp(Tensor X, float Factor) : IRecordedOp
    {
        public void Backward(Tape tape, Tensor output)
        {
            Span<float> dx = tape.GradOf(X);
            TensorPrimitives.MultiplyAdd(output.Grad, Factor, dx, dx);
        }
    }
}
