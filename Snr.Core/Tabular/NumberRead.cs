namespace Snr.Core.Tabular;

/// <summary>What a field read as a number holds (<see cref="RowChunk"/>'s <c>ReadNumber</c>).</summary>
internal enum NumberRead
{
    /// <summary>A number.</summary>
    Number,

    /// <summary>A missing value: <c>?</c>, an empty field or a null.</summary>
    Missing,

    /// <summary>A text that is not a (finite float) number.</summary>
    NotANumber,
}
