namespace Snr.Core.Tabular;

/// <summary>
/// Parses the common short decimals of data files (<c>-12.345</c>) without the general parser,
/// with the same result: a value whose digits make an integer m below 2²⁴ and that has at most
/// 10 decimals is m / 10ᵏ, a division of two floats that are exact, so correctly rounded
/// (Clinger's fast path). Anything else goes to <see cref="TabularSchema.TryParseNumber"/>.
/// </summary>
internal static class FastNumber
{
    private static readonly float[] PowersOfTen = [1e0f, 1e1f, 1e2f, 1e3f, 1e4f, 1e5f, 1e6f, 1e7f, 1e8f, 1e9f, 1e10f];

    /// <summary>As <see cref="TabularSchema.TryParseNumber"/>, faster for plain decimals.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out float value)
    {
        int i = 0;
        bool negative = false;
        if (i < text.Length && text[i] is '-' or '+') negative = text[i++] == '-';
        int mantissa = 0, digits = 0, decimals = -1;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '.' && decimals < 0)
            {
                decimals = 0;
                continue;
            }
            uint digit = (uint)(c - '0');
            if (digit > 9 || mantissa >= (1 << 24) / 10) return TabularSchema.TryParseNumber(text, out value);
            mantissa = mantissa * 10 + (int)digit;
            digits++;
            if (decimals >= 0) decimals++;
        }
        if (digits == 0 || decimals > 10) return TabularSchema.TryParseNumber(text, out value);
        value = decimals > 0 ? mantissa / PowersOfTen[decimals] : mantissa;
        if (negative) value = -value;
        return true;
    }
}
