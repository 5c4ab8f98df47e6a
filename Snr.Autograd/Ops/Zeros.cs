namespace Snr.Autograd;

public static partial class Ops
{
    /// <summary>
    /// A [rows, cols] matrix of zeros that requires no gradient: a constant standing in for work a step skips
    /// (a sub-network no task reaches). While gradients are enabled it is tape-owned and recycled at
    /// <see cref="Tape.Reset"/>, so it costs no allocation once the tape's pools are warm; it stands in for
    /// a skipped result of the same shape, whose buffer it takes over.
    /// </summary>
    public static Tensor Zeros(int rows, int cols)
    {
        var y = Result(Shape.Matrix(rows, cols), requiresGrad: false);
        y.Data.Clear(); // tape buffers come back with their last contents
        return y;
    }
}
