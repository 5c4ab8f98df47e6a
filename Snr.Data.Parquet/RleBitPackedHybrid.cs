using System.Buffers.Binary;

namespace Snr.Data.Parquet;

/// <summary>
/// Decodes Parquet's RLE/bit-packed hybrid encoding, in which definition levels and dictionary
/// indices are stored: runs of one repeated value (RLE) and groups of 8 values packed in
/// <c>bitWidth</c> bits each, least significant bit first.
/// </summary>
internal static class RleBitPackedHybrid
{
    /// <summary>The bits that values up to <paramref name="max"/> need (0 for 0).</summary>
    public static int BitWidth(int max) => 32 - int.LeadingZeroCount(max);

    /// <summary>
    /// Decodes <paramref name="values"/>.Length values of <paramref name="bitWidth"/> bits from
    /// <paramref name="bytes"/> (the runs, without a length prefix); returns the bytes read.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes end before every value is decoded, or a bit width above 32.</exception>
    public static int Decode(ReadOnlySpan<byte> bytes, int bitWidth, Span<int> values)
    {
        if (bitWidth is < 0 or > 32) throw new InvalidDataException($"a bit width of {bitWidth}");
        int position = 0, decoded = 0, byteWidth = (bitWidth + 7) / 8;
        while (decoded < values.Length)
        {
            ulong header = ReadVarint(bytes, ref position);
            ulong count = header >> 1;
            if ((header & 1) == 0)
            {
                // An RLE run: `count` times the value stored in the next byteWidth bytes.
                if (bytes.Length - position < byteWidth) throw Truncated();
                uint value = 0;
                for (int b = 0; b < byteWidth; b++) value |= (uint)bytes[position + b] << (8 * b);
                position += byteWidth;
                int run = (int)Math.Min(count, (ulong)(values.Length - decoded));
                values.Slice(decoded, run).Fill((int)value);
                decoded += run;
            }
            else
            {
                // A bit-packed run of `count` groups of 8 values. The last run may be cut short in the file after its last value.
                long groups = (long)Math.Min(count, int.MaxValue);
                int available = (int)Math.Min(groups * bitWidth, bytes.Length - position);
                int wanted = (int)Math.Min(groups * 8, values.Length - decoded);
                Unpack(bytes.Slice(position, available), bitWidth, values.Slice(decoded, wanted));
                decoded += wanted;
                position += available;
            }
        }
        return position;
    }

    private static void Unpack(ReadOnlySpan<byte> bytes, int bitWidth, Span<int> values)
    {
        if ((long)values.Length * bitWidth > (long)bytes.Length * 8) throw Truncated();
        ulong mask = bitWidth == 32 ? uint.MaxValue : (1UL << bitWidth) - 1;
        ulong window = 0;
        int bits = 0, position = 0;
        for (int i = 0; i < values.Length; i++)
        {
            while (bits < bitWidth)
            {
                window |= (ulong)bytes[position++] << bits;
                bits += 8;
            }
            values[i] = (int)(uint)(window & mask);
            window >>= bitWidth;
            bits -= bitWidth;
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length) throw Truncated();
            byte b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
        throw new InvalidDataException("a run header is too long");
    }

    /// <summary>The length-prefixed runs at the start of <paramref name="bytes"/> (a 4-byte little-endian length, as in data pages of version 1).</summary>
    /// <exception cref="InvalidDataException">The length is negative or beyond the bytes.</exception>
    public static ReadOnlySpan<byte> LengthPrefixed(ReadOnlySpan<byte> bytes, out int consumed)
    {
        if (bytes.Length < 4) throw Truncated();
        int length = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        if (length < 0 || length > bytes.Length - 4) throw new InvalidDataException($"levels of {length} bytes in a page of {bytes.Length}");
        consumed = 4 + length;
        return bytes.Slice(4, length);
    }

    private static InvalidDataException Truncated() => new("levels or dictionary indices end early");
}
