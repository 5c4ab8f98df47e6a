namespace Snr.Distributed;

/// <summary>
/// What the coordinator sends every worker for one attempt at a global step: the weights to start from
/// and, per task, the global batch's row-weight total (the denominator of the global mean loss).
/// </summary>
[GenerateSerializer, Immutable]
public sealed class StepOrder
{
    /// <summary>The global step, counted from 0.</summary>
    [Id(0)] public long Step { get; init; }

    /// <summary>The attempt at this step (a step is retried after a lost worker); gradients of another attempt are refused.</summary>
    [Id(1)] public int Attempt { get; init; }

    /// <summary>Every parameter's values, concatenated in the model's parameter order, as raw float32 bytes (see <see cref="RawFloats"/>).</summary>
    [Id(2)] public byte[] WeightBytes { get; init; } = [];

    /// <summary>The weights as floats.</summary>
    public ReadOnlySpan<float> Weights => RawFloats.AsFloats(WeightBytes);

    /// <summary>Per task, Σ of the row weights of the whole global batch.</summary>
    [Id(3)] public float[] TaskWeightTotals { get; init; } = [];
}
