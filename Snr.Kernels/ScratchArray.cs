namespace Snr.Kernels;

/// <summary>Kernel scratch arrays kept per thread or per job, grown when a call needs more and then reused.</summary>
internal static class ScratchArray
{
    /// <summary>
    /// Returns <paramref name="array"/> if it holds at least <paramref name="length"/> elements, otherwise replaces it
    /// with a new uninitialised one (contents are not kept; <paramref name="pinned"/> puts it on the pinned heap).
    /// </summary>
    public static T[] Grow<T>(ref T[] array, long length, bool pinned = false)
    {
        if (array.Length < length)
        {
            array = GC.AllocateUninitializedArray<T>((int)length, pinned);
        }

        return array;
    }
}
