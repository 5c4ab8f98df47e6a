namespace Snr.Tests.Support;

/// <summary>Seeded test data from the engine's own counter-based generator.</summary>
public static class TestData
{
    public static float[] Normal(int count, ulong seed, float std = 1f)
    {
        var values = new float[count];
        new CounterRng(seed).FillNormal(values, stream: 0, std: std);
        return values;
    }

    public static Tensor Normal(Shape shape, ulong seed, bool requiresGrad = true, float std = 1f) =>
        Tensor.FromArray(Normal(shape.Size, seed, std), shape, requiresGrad);

    /// <summary>Normal values pushed at least <paramref name="margin"/> away from zero (for ops with a kink at 0).</summary>
    public static Tensor AwayFromZero(Shape shape, ulong seed, float margin = 0.05f)
    {
        var values = Normal(shape.Size, seed);
        for (int i = 0; i < values.Length; i++)
            values[i] += MathF.CopySign(margin, values[i]);
        return Tensor.FromArray(values, shape, requiresGrad: true);
    }
}
