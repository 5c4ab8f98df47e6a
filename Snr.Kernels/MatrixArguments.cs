namespace Snr.Kernels;

/// <summary>Validation shared by the kernels: a row-major matrix in a span, with a leading dimension.</summary>
internal static class MatrixArguments
{
    /// <summary>
    /// Throws unless a <paramref name="rows"/>×<paramref name="cols"/> matrix with row stride <paramref name="ld"/>
    /// fits in <paramref name="length"/> elements: <c>ld ≥ max(1, cols)</c> and <c>length ≥ (rows − 1)·ld + cols</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The leading dimension is too small.</exception>
    /// <exception cref="ArgumentException">The span is too short (only when <paramref name="checkLength"/>).</exception>
    public static void Check(int length, string matrix, string paramName, int rows, int cols, int ld, string ldName, bool checkLength)
    {
        if (ld < Math.Max(1, cols))
        {
            throw new ArgumentOutOfRangeException(ldName, ld,
                $"{ldName} is {ld} but {matrix} is stored as a {rows}×{cols} matrix, so {ldName} must be at least {Math.Max(1, cols)}.");
        }

        if (checkLength && rows > 0 && cols > 0)
        {
            long needed = (long)(rows - 1) * ld + cols;
            if (length < needed)
            {
                throw new ArgumentException(
                    $"{matrix} has {length} elements but a {rows}×{cols} matrix with {ldName} {ld} needs {needed}.", paramName);
            }
        }
    }

    /// <summary>
    /// Throws unless a span of <paramref name="length"/> elements holds a dense <paramref name="rows"/>×<paramref name="cols"/>
    /// matrix. The message is only built when throwing, so the check allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">The span is too short.</exception>
    public static void CheckDense(int length, string paramName, long rows, long cols, string description)
    {
        if (length < rows * cols)
        {
            throw new ArgumentException(
                $"{paramName} has {length} elements but {description} of {rows}×{cols} needs {rows * cols}.", paramName);
        }
    }
}
