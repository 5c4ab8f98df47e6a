namespace Snr.Kernels;

/// <summary>
/// The kernels' rule for memory shared between arguments, as in TensorPrimitives: a destination may not overlap a
/// source, except that an element-wise kernel may write its result over a source that starts at the same element
/// (in place), since each element is read before it is written.
/// </summary>
internal static class SpanOverlap
{
    /// <summary>Throws when <paramref name="destination"/> shares any element with <paramref name="source"/>.</summary>
    /// <exception cref="ArgumentException">The spans overlap; the message names both.</exception>
    public static void ThrowIfOverlapping(ReadOnlySpan<float> destination, string destinationName, ReadOnlySpan<float> source, string sourceName)
    {
        if (destination.Overlaps(source))
            Throw(destinationName, sourceName, inPlaceAllowed: false);
    }

    /// <summary>Throws when <paramref name="destination"/> overlaps <paramref name="source"/> other than by starting at the same element.</summary>
    /// <exception cref="ArgumentException">The spans overlap with an offset; the message names both.</exception>
    public static void ThrowIfOverlappingShifted(ReadOnlySpan<float> destination, string destinationName, ReadOnlySpan<float> source, string sourceName)
    {
        if (destination.Overlaps(source, out int offset) && offset != 0)
            Throw(destinationName, sourceName, inPlaceAllowed: true);
    }

    private static void Throw(string destinationName, string sourceName, bool inPlaceAllowed) =>
        throw new ArgumentException(inPlaceAllowed
            ? $"{destinationName} overlaps {sourceName} at an offset: the result may be written in place (the same first element) but not shifted."
            : $"{destinationName} overlaps {sourceName}: the result must not be written over an input.", destinationName);
}
