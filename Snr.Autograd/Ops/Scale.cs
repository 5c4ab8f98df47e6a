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
        if (tracks) Tape.Current.Record(ScaleBackward, y, x, float0: s);
        return y;
    }

    // dx += s·dy
    private static void ScaleBackward(Tape tape, in TapeEntry e)
    {
        Span<float> dx = tape.GradOf(e.A!);
        TensorPrimitives.MultiplyAdd(e.Output.Grad, e.Float0, dx, dx);
    }
}
