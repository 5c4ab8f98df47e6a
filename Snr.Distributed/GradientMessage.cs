namespace Snr.Distributed;

/// <summary>One worker's gradient for its part of a global step, sent to the coordinator.</summary>
[GenerateSerializer, Immutable]
public sealed class GradientMessage
{
    /// <summary>The global step the gradient belongs to.</summary>
    [Id(0)] public long Step { get; init; }

    /// <summary>The attempt at that step it was computed for.</summary>
    [Id(1)] public int Attempt { get; init; }

    /// <summary>The worker's rank (its shard).</summary>
    [Id(2)] public int Rank { get; init; }

    /// <summary>Every parameter's gradient, concatenated in the model's parameter order (zeros where it has none), as raw float32 bytes (see <see cref="RawFloats"/>).</summary>
    [Id(3)] public byte[] GradientBytes { get; init; } = [];

    /// <summary>The gradient as floats.</summary>
    public ReadOnlySpan<float> Gradient => RawFloats.AsFloats(GradientBytes);

    /// <summary>Per parameter, whether the loss reached it (a parameter no worker reached is not updated).</summary>
    [Id(4)] public bool[] HasGradient { get; init; } = [];

    /// <summary>This part's share of the global loss (NaN: a non-finite part, skipped).</summary>
    [Id(5)] public float Loss { get; init; }

    /// <summary>Per task, this part's share of the global batch's task loss.</summary>
    [Id(6)] public float[] TaskLosses { get; init; } = [];

    /// <summary>Rows in the part.</summary>
    [Id(7)] public int Rows { get; init; }

    /// <summary>Where the part was computed (the silo), for the record of shards and their hosts.</summary>
    [Id(8)] public string Host { get; init; } = "";
}
