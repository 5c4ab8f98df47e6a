namespace Snr.Autograd;

/// <summary>
/// What one recorded op keeps for its backward, in the style of candle's <c>Op</c>: a small struct per op kind
/// holding that op's input tensors and its own values under their own names (the gates' β, γ, ζ; a slice's start;
/// SNR-Trans's bias), declared next to the op's forward. <see cref="Backward"/> reads the output's gradient and
/// accumulates into the inputs'.
/// </summary>
internal interface IRecordedOp
{
    /// <summary>Accumulates the inputs' gradients from the gradient of <paramref name="output"/>, the tensor the op returned.</summary>
    void Backward(Tape tape, Tensor output);
}
