using Snr.Autograd;

namespace Snr.Core.Routing;

/// <summary>
/// Constant zero matrices standing in for sub-networks that no task reaches in a step, so that
/// their computation is skipped while the block layout of the level stays intact. Cached by shape
/// (a training run needs a couple: the full batch and the epoch's last one); under
/// <see cref="Tape.NoGrad"/> a fresh tensor is returned instead, so serving with arbitrary batch
/// sizes does not grow the cache.
/// </summary>
internal sealed class ZeroBlocks
{
    private const int Capacity = 8;
    private readonly List<Tensor> _cache = [];

    /// <summary>A [rows, cols] matrix of zeros that requires no gradient; never written by ops.</summary>
    public Tensor Get(int rows, int cols)
    {
        if (!Tape.IsGradEnabled) return Tensor.Zeros(rows, cols);
        foreach (var t in _cache)
            if (t.Rows == rows && t.Cols == cols) return t;
        if (_cache.Count == Capacity) _cache.RemoveAt(0);
        var zeros = Tensor.Zeros(rows, cols);
        _cache.Add(zeros);
        return zeros;
    }
}
