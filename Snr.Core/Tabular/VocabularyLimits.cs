using System.Text.Json.Serialization;

namespace Snr.Core.Tabular;

/// <summary>
/// How large a categorical input's vocabulary may grow: the levels seen at least
/// <see cref="MinCount"/> times in the training rows, at most <see cref="MaxSize"/> of them (the most
/// frequent; among equally frequent ones, the first seen). Every other value encodes as the
/// unknown slot 0, as a value never seen does.
/// </summary>
/// <param name="MaxSize">The most levels a vocabulary keeps (default 100,000).</param>
/// <param name="MinCount">The fewest training rows a level needs to be kept (default 1: every level).</param>
public sealed record VocabularyLimits(int MaxSize = VocabularyLimits.DefaultMaxSize, long MinCount = 1)
{
    /// <summary>The default of <see cref="MaxSize"/>.</summary>
    public const int DefaultMaxSize = 100_000;

    /// <summary>At most 100,000 levels, each seen at least once.</summary>
    public static VocabularyLimits Default { get; } = new();

    /// <summary>
    /// How many distinct values a streaming count keeps per column before it drops the rarer half:
    /// twice <see cref="MaxSize"/>, and never fewer than twice the default (200,000), so that a
    /// smaller vocabulary is not counted less exactly. A column with at most this many distinct
    /// values is counted exactly, and its streamed vocabulary is the in-memory one.
    /// </summary>
    [JsonIgnore]
    public int CounterCapacity => (int)Math.Min(2L * Math.Max(MaxSize, DefaultMaxSize), Array.MaxLength / 2);

    /// <summary>Checks the limits.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive.</exception>
    public void Validate()
    {
        if (MaxSize <= 0) throw new ArgumentOutOfRangeException(nameof(MaxSize), MaxSize, "A vocabulary keeps at least one level.");
        if (MinCount <= 0) throw new ArgumentOutOfRangeException(nameof(MinCount), MinCount, "A level's minimum count is at least 1.");
    }
}
