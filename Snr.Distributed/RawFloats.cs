using System.Runtime.InteropServices;

namespace Snr.Distributed;

/// <summary>
/// float32 vectors carried as raw bytes: Orleans copies a byte array in one block, where a float array is encoded
/// element by element (several times slower per step for the W3 model: notes/distributed.md). The bytes are
/// in the machine's order (little-endian on every platform .NET runs silos on).
/// </summary>
public static class RawFloats
{
    /// <summary>A copy of <paramref name="values"/> as bytes.</summary>
    public static byte[] ToBytes(ReadOnlySpan<float> values) => MemoryMarshal.AsBytes(values).ToArray();

    /// <summary>The floats <paramref name="bytes"/> hold (no copy).</summary>
    public static Span<float> AsFloats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
}
