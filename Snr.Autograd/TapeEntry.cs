namespace Snr.Autograd;

/// <summary>One step of the tape: the output of an op and where its kind's list keeps the rest.</summary>
internal readonly record struct TapeEntry(Tensor Output, RecordedOps Ops, int Index);
