using System.Numerics.Tensors;

namespace Snr.Distributed;

/// <summary>
/// Collects the N gradients of one attempt at a global step and sums them in rank order 0, 1, …, N−1, so the
/// result does not depend on the order they arrived in. A gradient for another step or attempt, from an unknown
/// rank, sent twice, or of the wrong shape is refused (<see cref="GradientRefusedException"/>) and changes nothing.
/// </summary>
public sealed class GradientReducer
{
    private readonly GradientMessage?[] _parts;
    private readonly int _length, _parameters;
    private long _step = -1;
    private int _attempt;

    /// <summary>Creates a reducer for <paramref name="workers"/> ranks of gradients of <paramref name="length"/> values over <paramref name="parameters"/> parameters.</summary>
    public GradientReducer(int workers, int length, int parameters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(workers);
        _parts = new GradientMessage?[workers];
        _length = length;
        _parameters = parameters;
    }

    /// <summary>Gradients received for the current attempt.</summary>
    public int Received { get; private set; }

    /// <summary>True once every rank's gradient is in.</summary>
    public bool IsComplete => Received == _parts.Length;

    /// <summary>The received parts, by rank (null where missing).</summary>
    public IReadOnlyList<GradientMessage?> Parts => _parts;

    /// <summary>Starts collecting for attempt <paramref name="attempt"/> at step <paramref name="step"/>, dropping whatever was received before.</summary>
    public void Begin(long step, int attempt)
    {
        Array.Clear(_parts);
        Received = 0;
        _step = step;
        _attempt = attempt;
    }

    /// <summary>Takes one worker's gradient.</summary>
    /// <exception cref="GradientRefusedException">The message is for another step or attempt, from an unknown rank, a second one from its rank, or not of this model's shape.</exception>
    public void Accept(GradientMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Step != _step || message.Attempt != _attempt)
            throw new GradientRefusedException($"Rank {message.Rank} sent a gradient for step {message.Step} (attempt {message.Attempt}); the coordinator is at step {_step} (attempt {_attempt}).");
        if (message.Rank < 0 || message.Rank >= _parts.Length)
            throw new GradientRefusedException($"A gradient from rank {message.Rank}; the run has ranks 0 to {_parts.Length - 1}.");
        if (message.Gradient.Length != _length || message.HasGradient.Length != _parameters || message.TaskLosses.Length == 0 && !float.IsNaN(message.Loss))
            throw new GradientRefusedException($"Rank {message.Rank} sent a gradient of {message.Gradient.Length} values over {message.HasGradient.Length} parameters; the model has {_length} over {_parameters}.");
        if (_parts[message.Rank] is not null)
            throw new GradientRefusedException($"Rank {message.Rank} sent a second gradient for step {_step}.");
        _parts[message.Rank] = message;
        Received++;
    }

    /// <summary>
    /// Sums the parts in rank order into <paramref name="sum"/> and ORs their flags into <paramref name="hasGradient"/>.
    /// </summary>
    /// <returns>False when a part was skipped as non-finite (then nothing is to be applied).</returns>
    /// <exception cref="InvalidOperationException">Not every rank's gradient is in.</exception>
    public bool Reduce(Span<float> sum, Span<bool> hasGradient)
    {
        if (!IsComplete) throw new InvalidOperationException($"{Received} of {_parts.Length} gradients for step {_step} are in.");
        sum.Clear();
        hasGradient.Clear();
        foreach (var part in _parts)
        {
            if (float.IsNaN(part!.Loss)) return false;
            TensorPrimitives.Add(sum, part.Gradient, sum);
            for (int i = 0; i < hasGradient.Length; i++) hasGradient[i] |= part.HasGradient[i];
        }
        return true;
    }
}
