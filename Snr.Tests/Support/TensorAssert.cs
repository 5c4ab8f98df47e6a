namespace Snr.Tests.Support;

public static class TensorAssert
{
    /// <summary>Asserts |actual − expected| ≤ tolerance·max(|expected|, 1) elementwise, naming the first offending element.</summary>
    public static void Close(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: expected {expected.Length} values, got {actual.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), 1.0);
            Assert.True(error <= tolerance, $"{what}[{i}]: expected {expected[i]:G9}, got {actual[i]:G9} (relative error {error:G3} > {tolerance:G3})");
        }
    }

    public static void Close(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what)
    {
        var e = new double[expected.Length];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        Close(e, actual, tolerance, what);
    }
}
