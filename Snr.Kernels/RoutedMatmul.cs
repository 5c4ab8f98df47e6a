namespace Snr.Kernels;

/// <summary>Placeholder with the agreed API (naive loops); the packed kernel lands from the kernels branch.</summary>
public static class RoutedMatmul
{
    /// <summary>y_i = beta·y_i + Σ_{j: z_ij ≠ 0} z_ij·x_j·W_ijᵀ (placeholder).</summary>
    public static void Forward(int batch, int kIn, int hIn, int kOut, int hOut, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float beta, Span<float> y, int maxThreads = 0)
    {
        int inW = kIn * hIn, outW = kOut * hOut;
        for (int r = 0; r < batch; r++)
            for (int o = 0; o < outW; o++)
            {
                int i = o / hOut;
                float s = 0;
                for (int j = 0; j < kIn; j++)
                {
                    float z = gates[i * kIn + j];
                    if (z == 0) continue;
                    float d = 0;
                    for (int p = 0; p < hIn; p++) d += x[r * inW + j * hIn + p] * weight[o * inW + j * hIn + p];
                    s += z * d;
                }
                y[r * outW + o] = s + (beta == 0 ? 0 : beta * y[r * outW + o]);
            }
    }

    /// <summary>dx += Σ z·dy·W; dW += z·G; dGates += ⟨W, G⟩ (placeholder).</summary>
    public static void Backward(int batch, int kIn, int hIn, int kOut, int hOut, ReadOnlySpan<float> gates,
        ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dWeight, Span<float> dGates, int maxThreads = 0)
    {
        int inW = kIn * hIn, outW = kOut * hOut;
        for (int i = 0; i < kOut; i++)
            for (int j = 0; j < kIn; j++)
            {
                float z = gates[i * kIn + j];
                if (z == 0) continue;
                float dz = 0;
                for (int o = i * hOut; o < (i + 1) * hOut; o++)
                    for (int p = j * hIn; p < (j + 1) * hIn; p++)
                    {
                        float g = 0;
                        for (int r = 0; r < batch; r++) g += dy[r * outW + o] * x[r * inW + p];
                        if (!dWeight.IsEmpty) dWeight[o * inW + p] += z * g;
                        dz += weight[o * inW + p] * g;
                        if (!dx.IsEmpty)
                            for (int r = 0; r < batch; r++) dx[r * inW + p] += z * dy[r * outW + o] * weight[o * inW + p];
                    }
                if (!dGates.IsEmpty) dGates[i * kIn + j] += dz;
            }
    }
}
