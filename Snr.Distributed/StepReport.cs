namespace Snr.Distributed;

/// <summary>A completed global step.</summary>
[GenerateSerializer, Immutable]
public sealed record StepReport
{
    /// <summary>The step, counted from 0.</summary>
    [Id(0)] public long Step { get; init; }

    /// <summary>The global batch's loss before the update (NaN: a non-finite batch, skipped without an update).</summary>
    [Id(1)] public float Loss { get; init; }

    /// <summary>Per task, the global batch's (weighted) mean loss.</summary>
    [Id(2)] public float[] TaskLosses { get; init; } = [];

    /// <summary>Attempts it took (more than 1 after a lost worker).</summary>
    [Id(3)] public int Attempts { get; init; }

    /// <summary>Per rank, the host that computed its part.</summary>
    [Id(4)] public string[] Hosts { get; init; } = [];

    /// <summary>Bytes of weights and gradients that crossed between the coordinator and the workers in the successful attempt.</summary>
    [Id(5)] public long PayloadBytes { get; init; }

    /// <summary>Why the checkpoint due after this step could not be written (the previous one stays), or null.</summary>
    [Id(6)] public string? CheckpointError { get; init; }
}
