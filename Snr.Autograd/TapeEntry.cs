namespace Snr.Autograd;

/// <summary>The backward of one recorded op: reads the output's gradient, accumulates into the inputs'.</summary>
internal delegate void BackwardFunction(Tape tape, in TapeEntry entry);

/// <summary>
/// One recorded op: its backward function, its output, up to three tensor inputs and a
/// little extra state. A struct in a list, with the backward a cached static delegate, so
/// recording an op allocates nothing.
/// </summary>
internal readonly struct TapeEntry(BackwardFunction backward, Tensor output, Tensor? a, Tensor? b, Tensor? c, int int0, float float0, float float1, float float2, object? state)
{
    public readonly BackwardFunction Backward = backward;
    public readonly Tensor Output = output;
    public readonly Tensor? A = a, B = b, C = c;
    public readonly int Int0 = int0;
    public readonly float Float0 = float0, Float1 = float1, Float2 = float2;
    public readonly object? State = state;
}
