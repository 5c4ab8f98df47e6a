using Snr.Core.Modules;

namespace Snr.Core.Training;

/// <summary>
/// Stochastic gradient descent with (heavy-ball) momentum, as <c>torch.optim.SGD</c>:
/// <code>
/// g = grad + wd·p
/// buf = g at the first step, then μ·buf + g
/// p −= lr·buf
/// </code>
/// With μ = 0 it is plain SGD.
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[][] _buffers;
    private readonly float _momentum;

    /// <summary>Creates the optimizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The momentum is outside [0, 1), or see <see cref="Optimizer"/>.</exception>
    public Sgd(IReadOnlyList<NamedParameter> parameters, float learningRate, float momentum = 0f, float weightDecay = 0f)
        : base(parameters, learningRate, weightDecay)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "must be in [0, 1)");
        _momentum = momentum;
        _buffers = NewBuffer();
    }

    /// <inheritdoc/>
    protected override IReadOnlyList<string> BufferNames { get; } = ["momentum_buffer"];

    /// <inheritdoc/>
    protected override float[][] Buffers(int buffer) => _buffers;

    /// <inheritdoc/>
    protected override void Update(int index, int offset, Span<float> values, ReadOnlySpan<float> grad, float weightDecay)
    {
        Span<float> buf = _buffers[index].AsSpan(offset, values.Length);
        bool first = StepsOf(index) == 1;
        float lr = LearningRateOf(index), mu = _momentum;
        for (int k = 0; k < values.Length; k++)
        {
            float g = grad[k] + weightDecay * values[k];
            buf[k] = first || mu == 0f ? g : mu * buf[k] + g;
            values[k] -= lr * buf[k];
        }
    }
}
