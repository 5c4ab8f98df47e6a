using Snr.Core.Modules;

namespace Snr.Core.Training;

/// <summary>
/// Updates parameters from their accumulated gradients. Parameters without a gradient
/// (never reached by the loss) are left alone. Weight decay, when set, is L2 regularisation
/// added to the gradient (g + wd·p, as in <c>torch.optim.Adam</c> and <c>SGD</c>) and applies
/// only to parameters whose name ends in <c>weight</c>: biases and gate log_alphas are not decayed.
/// </summary>
public abstract class Optimizer
{
    private readonly NamedParameter[] _parameters;
    private readonly bool[] _decays;

    /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is not positive or the weight decay is negative.</exception>
    protected Optimizer(IReadOnlyList<NamedParameter> parameters, float learningRate, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate > 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be positive");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "must be non-negative");
        _parameters = [.. parameters];
        _decays = new bool[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++) _decays[i] = weightDecay > 0 && _parameters[i].Name.EndsWith("weight", StringComparison.Ordinal);
        LearningRate = learningRate;
        WeightDecay = weightDecay;
    }

    /// <summary>The step size.</summary>
    public float LearningRate { get; set; }

    /// <summary>The L2 coefficient added to the gradients of weight matrices.</summary>
    public float WeightDecay { get; }

    /// <summary>The parameters, in the order given.</summary>
    public IReadOnlyList<NamedParameter> Parameters => _parameters;

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i].Tensor;
            if (!p.HasGrad) continue;
            Update(i, p.Data, p.Grad, _decays[i] ? WeightDecay : 0f);
        }
    }

    /// <summary>Sets every gradient to zero (allocating nothing once they exist).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
            if (p.Tensor.HasGrad) p.Tensor.Grad.Clear();
    }

    /// <summary>Updates parameter <paramref name="index"/> in place from its gradient.</summary>
    /// <param name="index">Position in <see cref="Parameters"/> (for per-parameter state).</param>
    /// <param name="values">The parameter's values.</param>
    /// <param name="grad">Its gradient (not to be modified).</param>
    /// <param name="weightDecay">The L2 coefficient for this parameter (0 when not decayed).</param>
    protected abstract void Update(int index, Span<float> values, ReadOnlySpan<float> grad, float weightDecay);
}
