using System.Numerics;
using Snr.Core.Modules;

namespace Snr.Core.Training;

/// <summary>
/// Adam (Kingma &amp; Ba, 2015) with bias correction, step for step as <c>torch.optim.Adam</c>:
/// <code>
/// g = grad + wd·p
/// m = β1·m + (1 − β1)·g;   v = β2·v + (1 − β2)·g²
/// p −= (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
/// </code>
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[][] _m, _v;
    private readonly float _beta1, _beta2, _epsilon;

    /// <summary>Creates the optimizer with zero moments.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A β is outside [0, 1), ε is not positive, or see <see cref="Optimizer"/>.</exception>
    public Adam(IReadOnlyList<NamedParameter> parameters, float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f,
        float epsilon = 1e-8f, float weightDecay = 0f)
        : base(parameters, learningRate, weightDecay)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "must be in [0, 1)");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "must be in [0, 1)");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "must be positive");
        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
        _m = NewBuffer();
        _v = NewBuffer();
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames { get; } = ["exp_avg", "exp_avg_sq"];

    /// <inheritdoc/>
    protected override float[][] Buffers(int buffer) => buffer == 0 ? _m : _v;

    /// <inheritdoc/>
    protected override void Update(int index, int offset, Span<float> values, ReadOnlySpan<float> grad, float weightDecay)
    {
        long t = StepsOf(index);
        Span<float> m = _m[index].AsSpan(offset, values.Length), v = _v[index].AsSpan(offset, values.Length);
        float b1 = _beta1, b2 = _beta2;
        float stepSize = (float)(LearningRateOf(index) / (1.0 - Math.Pow(b1, t)));
        float correction2 = (float)Math.Sqrt(1.0 - Math.Pow(b2, t));
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            // The same operations as the scalar loop below, lane by lane (each rounded once, no fused
            // multiply-add, IEEE square root and division), so both paths give bit-identical results.
            int width = Vector<float>.Count;
            Vector<float> vb1 = new(b1), vb2 = new(b2), va1 = new(1f - b1), va2 = new(1f - b2), vwd = new(weightDecay),
                vstep = new(stepSize), vc2 = new(correction2), veps = new(_epsilon);
            for (; k <= values.Length - width; k += width)
            {
                var p = new Vector<float>(values[k..]);
                var g = new Vector<float>(grad[k..]) + vwd * p;
                var mk = vb1 * new Vector<float>(m[k..]) + va1 * g;
                var vk = vb2 * new Vector<float>(v[k..]) + va2 * g * g;
                mk.CopyTo(m[k..]);
                vk.CopyTo(v[k..]);
                (p - vstep * mk / (Vector.SquareRoot(vk) / vc2 + veps)).CopyTo(values[k..]);
            }
        }
        for (; k < values.Length; k++)
        {
            float g = grad[k] + weightDecay * values[k];
            m[k] = b1 * m[k] + (1f - b1) * g;
            v[k] = b2 * v[k] + (1f - b2) * g * g;
            values[k] -= stepSize * m[k] / (MathF.Sqrt(v[k]) / correction2 + _epsilon);
        }
    }
}
