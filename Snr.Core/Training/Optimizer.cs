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
    private readonly float[] _rates; // NaN: the optimiser's LearningRate
    private readonly long[] _steps;  // per parameter, like PyTorch: a parameter that receives no gradient in a step does not advance

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
        _rates = new float[_parameters.Length];
        Array.Fill(_rates, float.NaN);
        _steps = new long[_parameters.Length];
    }

    /// <summary>
    /// Gives the parameters that <paramref name="selects"/> their own learning rate (a parameter group,
    /// as in <c>torch.optim</c>): for example the gates' log α, which need a much larger rate than weights.
    /// </summary>
    /// <returns>How many parameters the group holds.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The rate is not positive.</exception>
    public int SetLearningRate(Func<NamedParameter, bool> selects, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(selects);
        if (!(learningRate > 0 && float.IsFinite(learningRate))) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "must be positive");
        int count = 0;
        for (int i = 0; i < _parameters.Length; i++)
            if (selects(_parameters[i])) { _rates[i] = learningRate; count++; }
        return count;
    }

    /// <summary>The learning rate of parameter <paramref name="index"/>: its group's, else <see cref="LearningRate"/>.</summary>
    protected float LearningRateOf(int index) => float.IsNaN(_rates[index]) ? LearningRate : _rates[index];

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
            float decay = _decays[i] ? WeightDecay : 0f;
            _steps[i]++;
            if (_parameters[i].RowSparse) UpdateTouchedRows(i, p, decay);
            else Update(i, 0, p.Data, p.Grad, decay);
        }
    }

    /// <summary>Sets every gradient to zero (allocating nothing once they exist).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters)
            if (p.Tensor.HasGrad) p.Tensor.Grad.Clear();
    }

    // An embedding table's rows that the batch did not touch have an all-zero gradient: they are
    // left alone (lazy updates, as PyTorch's SparseAdam and TensorFlow's LazyAdam do), so momentum
    // does not keep moving categories the data has not shown for a while.
    private void UpdateTouchedRows(int index, Autograd.Tensor p, float weightDecay)
    {
        int cols = p.Cols;
        Span<float> values = p.Data;
        ReadOnlySpan<float> grad = p.Grad;
        for (int offset = 0; offset < values.Length; offset += cols)
        {
            var rowGrad = grad.Slice(offset, cols);
            if (rowGrad.IndexOfAnyExcept(0f) >= 0) Update(index, offset, values.Slice(offset, cols), rowGrad, weightDecay);
        }
    }

    /// <summary>A per-element buffer for every parameter, zeros of each parameter's size.</summary>
    protected float[][] NewBuffer() => [.. _parameters.Select(p => new float[p.Tensor.Size])];

    /// <summary>The steps parameter <paramref name="index"/> has taken, this one included (Adam's t).</summary>
    protected long StepsOf(int index) => _steps[index];

    /// <summary>The names of the optimiser's per-element buffers (PyTorch's: Adam <c>exp_avg</c>, <c>exp_avg_sq</c>; SGD <c>momentum_buffer</c>).</summary>
    protected abstract IReadOnlyList<string> BufferNames { get; }

    /// <summary>Buffer <paramref name="buffer"/> (an index into <see cref="BufferNames"/>) of every parameter: the optimiser's own arrays.</summary>
    protected abstract float[][] Buffers(int buffer);

    /// <summary>
    /// A copy of what the next <see cref="Step"/> depends on besides the weights, the gradients and the learning rates:
    /// per parameter, the steps it has taken and its buffers. With <see cref="LoadState"/> a run can stop and continue bit for bit.
    /// </summary>
    public OptimizerState SaveState()
    {
        var buffers = new float[BufferNames.Count][][];
        for (int b = 0; b < buffers.Length; b++) buffers[b] = [.. Buffers(b).Select(values => (float[])values.Clone())];
        return new OptimizerState(GetType().Name, (long[])_steps.Clone(), [.. BufferNames], buffers);
    }

    /// <summary>Restores a state saved by <see cref="SaveState"/> from an optimiser of the same kind over parameters of the same sizes.</summary>
    /// <exception cref="ArgumentException">The state is of another kind of optimiser, for another number of parameters, or a buffer's size differs; nothing is changed.</exception>
    public void LoadState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Kind != GetType().Name || !state.BufferNames.SequenceEqual(BufferNames))
            throw new ArgumentException($"The state is of a {state.Kind} optimiser with buffers [{string.Join(", ", state.BufferNames)}]; this is {GetType().Name} with [{string.Join(", ", BufferNames)}].", nameof(state));
        if (state.Steps.Length != _parameters.Length || state.Buffers.Length != BufferNames.Count || state.Buffers.Any(b => b.Length != _parameters.Length))
            throw new ArgumentException($"The state is for {state.Steps.Length} parameters; this optimiser has {_parameters.Length}.", nameof(state));
        for (int b = 0; b < state.Buffers.Length; b++)
            for (int i = 0; i < _parameters.Length; i++)
                if (state.Buffers[b][i].Length != _parameters[i].Tensor.Size)
                    throw new ArgumentException($"The state's {BufferNames[b]} of '{_parameters[i].Name}' holds {state.Buffers[b][i].Length} values; the parameter has {_parameters[i].Tensor.Size}.", nameof(state));
        state.Steps.CopyTo(_steps, 0);
        for (int b = 0; b < state.Buffers.Length; b++)
        {
            var own = Buffers(b);
            for (int i = 0; i < own.Length; i++) state.Buffers[b][i].CopyTo(own[i], 0);
        }
    }

    /// <summary>
    /// Updates in place the elements [offset, offset + values.Length) of parameter
    /// <paramref name="index"/> from their gradient. Called once per step for a dense parameter,
    /// once per touched row for a row-sparse one.
    /// </summary>
    /// <param name="index">Position in <see cref="Parameters"/> (for per-parameter state).</param>
    /// <param name="offset">Where <paramref name="values"/> starts in the parameter (for per-element state).</param>
    /// <param name="values">The elements to update.</param>
    /// <param name="grad">Their gradient (not to be modified).</param>
    /// <param name="weightDecay">The L2 coefficient for this parameter (0 when not decayed).</param>
    protected abstract void Update(int index, int offset, Span<float> values, ReadOnlySpan<float> grad, float weightDecay);
}
