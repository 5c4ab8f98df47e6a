using Snr.Autograd;
using Snr.Core.Models;

namespace Snr.Core.Training;

/// <summary>
/// One optimisation step of a multi-task model, allocation-free after the first call:
/// <see cref="ComputeGradients"/> (forward → loss = Σ_t w_t·loss_t + λ·penalty → backward → finite checks →
/// <see cref="Tape.Reset"/>), then <see cref="ApplyGradients"/> (gradient clipping → optimiser update → zero gradients).
/// </summary>
/// <remarks>
/// loss_t is the mean binary cross-entropy with logits of a binary task, the mean squared error of a
/// regression task; with per-row weights, their weighted means Σ wᵢ·ℓᵢ / Σ wᵢ, where a row of weight 0
/// (a missing label) adds no loss and no gradient to that task.
/// </remarks>
public sealed class TrainingStep
{
    private readonly MultiTaskModel _model;
    private readonly Optimizer _optimizer;
    private readonly float[] _weights;
    private readonly float _lambda, _maxGradNorm;
    private readonly bool _skipNonFinite;
    private readonly Func<Tensor?>? _regularizer;

    /// <summary>Creates the step.</summary>
    /// <param name="model">The model (run with sampled gates by each step).</param>
    /// <param name="optimizer">An optimiser over the model's parameters.</param>
    /// <param name="lossWeights">w_t, one per task.</param>
    /// <param name="l0Lambda">λ, the weight of <see cref="MultiTaskModel.Penalty"/> (0: not computed).</param>
    /// <param name="maxGradNorm">Global gradient-norm clip (0: off).</param>
    /// <param name="skipNonFiniteBatches">Skip (and count) a batch whose loss or gradients are not finite instead of throwing.</param>
    /// <param name="regularizer">Called once per step to add a further term to the loss (a scalar on the tape, or null for none), such as <see cref="RoutingRegularizer.Term"/>.</param>
    /// <exception cref="ArgumentException">Not one loss weight per task.</exception>
    public TrainingStep(MultiTaskModel model, Optimizer optimizer, ReadOnlySpan<float> lossWeights, float l0Lambda = 0f, float maxGradNorm = 0f,
        bool skipNonFiniteBatches = false, Func<Tensor?>? regularizer = null)
    {
        _regularizer = regularizer;
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (lossWeights.Length != model.Tasks.Count)
            throw new ArgumentException($"{lossWeights.Length} loss weights for {model.Tasks.Count} tasks.", nameof(lossWeights));
        _model = model;
        _optimizer = optimizer;
        _weights = lossWeights.ToArray();
        _lambda = l0Lambda;
        _maxGradNorm = maxGradNorm;
        _skipNonFinite = skipNonFiniteBatches;
    }

    /// <summary>Steps run so far, good or not.</summary>
    public long Steps { get; private set; }

    /// <summary>Batches whose loss or gradients were not finite and that were skipped (with skipNonFiniteBatches).</summary>
    public long SkippedBatches { get; private set; }

    /// <summary>The optimiser.</summary>
    public Optimizer Optimizer => _optimizer;

    /// <summary>Runs one step on a batch of a model whose inputs are all numeric (see <see cref="Run(Tensor, ReadOnlySpan{int}, ReadOnlySpan{Tensor}, Span{float})"/>).</summary>
    /// <exception cref="ArgumentException">Not one target per task, or shapes that do not fit.</exception>
    /// <exception cref="NonFiniteTrainingException">A loss or gradient is NaN or infinite (see the other overload).</exception>
    public float Run(Tensor x, ReadOnlySpan<Tensor> targets, Span<float> taskLosses = default) => Run(x, ReadOnlySpan<int>.Empty, targets, taskLosses);

    /// <summary>
    /// Runs one step on a batch and returns the total loss (before the update).
    /// </summary>
    /// <param name="numeric">[batch, NumericInputs].</param>
    /// <param name="categorical">[batch, CategoricalInputs] category indices, row-major.</param>
    /// <param name="targets">One [batch, 1] (or [batch]) tensor of labels per task.</param>
    /// <param name="taskLosses">When not empty, receives each task's unweighted loss.</param>
    /// <exception cref="ArgumentException">Not one target per task, or shapes that do not fit.</exception>
    /// <exception cref="NonFiniteTrainingException">
    /// A task's loss or a parameter's gradient is NaN or infinite (unless skipping such batches:
    /// then the step returns NaN and counts it in <see cref="SkippedBatches"/>). Either way the
    /// update is not applied.
    /// </exception>
    public float Run(Tensor numeric, ReadOnlySpan<int> categorical, ReadOnlySpan<Tensor> targets, Span<float> taskLosses = default) =>
        Run(numeric, categorical, targets, ReadOnlySpan<Tensor>.Empty, taskLosses);

    /// <summary>
    /// Runs one step on a batch whose rows are weighted per task (see the other overload):
    /// <paramref name="rowWeights"/> holds one [batch, 1] tensor of non-negative weights per task,
    /// or is empty for weight 1 everywhere. A row of weight 0 for a task (its label missing) adds
    /// no loss and no gradient to that task, and its target is not read.
    /// </summary>
    /// <exception cref="ArgumentException">Not one target (and, when given, one weight tensor) per task, shapes that do not fit, or a negative weight.</exception>
    /// <exception cref="NonFiniteTrainingException">A loss or gradient is NaN or infinite (see the other overload).</exception>
    public float Run(Tensor numeric, ReadOnlySpan<int> categorical, ReadOnlySpan<Tensor> targets, ReadOnlySpan<Tensor> rowWeights, Span<float> taskLosses = default)
    {
        float total = ComputeGradients(numeric, categorical, targets, rowWeights, taskLosses);
        if (!float.IsNaN(total)) ApplyGradients();
        return total;
    }

    /// <summary>
    /// The first half of a step: forward, loss, backward and the finite checks, leaving the gradient of the loss
    /// in every parameter's <see cref="Tensor.Grad"/> (added to what is there) for <see cref="ApplyGradients"/>.
    /// A data-parallel worker runs it on its part of a global batch: with <paramref name="taskScales"/>
    /// s_t = (its part's weight sum for task t) / (the global batch's), and the parameter-only terms (the L0
    /// penalty, the regulariser) on one worker only, the parts' gradients add up to the global batch's.
    /// </summary>
    /// <param name="numeric">[batch, NumericInputs].</param>
    /// <param name="categorical">[batch, CategoricalInputs] category indices, row-major.</param>
    /// <param name="targets">One [batch, 1] (or [batch]) tensor of labels per task.</param>
    /// <param name="rowWeights">One [batch, 1] tensor of non-negative row weights per task, or empty for 1 everywhere.</param>
    /// <param name="taskLosses">When not empty, receives each task's unweighted loss on this batch.</param>
    /// <param name="taskScales">When not empty, one factor per task multiplying its weighted loss (1 everywhere when empty).</param>
    /// <param name="parameterTerms">False to leave out the L0 penalty and the regulariser (they depend on the parameters only).</param>
    /// <returns>The loss, or NaN for a non-finite batch skipped (its gradients then cleared).</returns>
    /// <exception cref="ArgumentException">Not one target (weight tensor, scale) per task, shapes that do not fit, or a negative weight.</exception>
    /// <exception cref="NonFiniteTrainingException">A loss or gradient is NaN or infinite and such batches are not skipped; the gradients are cleared.</exception>
    public float ComputeGradients(Tensor numeric, ReadOnlySpan<int> categorical, ReadOnlySpan<Tensor> targets, ReadOnlySpan<Tensor> rowWeights,
        Span<float> taskLosses = default, ReadOnlySpan<float> taskScales = default, bool parameterTerms = true)
    {
        if (targets.Length != _weights.Length) throw new ArgumentException($"{targets.Length} targets for {_weights.Length} tasks.", nameof(targets));
        if (!rowWeights.IsEmpty && rowWeights.Length != _weights.Length) throw new ArgumentException($"{rowWeights.Length} weight tensors for {_weights.Length} tasks.", nameof(rowWeights));
        if (!taskScales.IsEmpty && taskScales.Length != _weights.Length) throw new ArgumentException($"{taskScales.Length} task scales for {_weights.Length} tasks.", nameof(taskScales));
        var tape = Tape.Current;
        Steps++;
        try
        {
            var outputs = _model.Forward(numeric, categorical, training: true);
            Tensor? loss = null;
            for (int t = 0; t < outputs.Length; t++)
            {
                var rows = rowWeights.IsEmpty ? null : rowWeights[t];
                var taskLoss = _model.Tasks[t].Kind == TaskKind.Binary
                    ? Ops.BceWithLogits(outputs[t], targets[t], rows)
                    : Ops.MseLoss(outputs[t], targets[t], rows);
                float value = taskLoss.Item();
                if (!float.IsFinite(value)) return Reject(_model.Tasks[t].Name, "the loss", value);
                if (!taskLosses.IsEmpty) taskLosses[t] = value;
                float factor = taskScales.IsEmpty ? _weights[t] : _weights[t] * taskScales[t];
                var weighted = factor == 1f ? taskLoss : Ops.Scale(taskLoss, factor);
                loss = loss is null ? weighted : Ops.Add(loss, weighted);
            }
            if (parameterTerms && _lambda > 0 && _model.Penalty() is { } penalty)
            {
                if (!float.IsFinite(penalty.Item())) return Reject("all", "the L0 penalty", penalty.Item());
                loss = Ops.Add(loss!, Ops.Scale(penalty, _lambda));
            }
            if (parameterTerms && _regularizer?.Invoke() is { } extra)
            {
                if (!float.IsFinite(extra.Item())) return Reject("all", "the routing penalty", extra.Item());
                loss = Ops.Add(loss!, extra);
            }
            float total = loss!.Item();
            loss.Backward();
            var parameters = _optimizer.Parameters;
            for (int i = 0; i < parameters.Count; i++) // indexed: foreach over the interface would allocate an enumerator
            {
                var p = parameters[i];
                if (!p.Tensor.HasGrad) continue;
                // A sum is NaN or infinite when an element is (or, rarely, when finite values overflow: then look closer).
                if (float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(p.Tensor.Grad))) continue;
                foreach (float g in p.Tensor.Grad)
                    if (!float.IsFinite(g)) return Reject("all", $"the gradient of {p.Name}", g);
            }
            return total;
        }
        finally
        {
            tape.Reset();
        }
    }

    /// <summary>
    /// The second half of a step: clips the gradients held by the parameters (when a maximum norm is set),
    /// applies the optimiser once and sets the gradients to zero. A data-parallel coordinator calls it after
    /// writing the reduced gradient into the parameters' <see cref="Tensor.Grad"/>.
    /// </summary>
    public void ApplyGradients()
    {
        if (_maxGradNorm > 0) GradientClipping.ClipByGlobalNorm(_optimizer.Parameters, _maxGradNorm);
        _optimizer.Step();
        _optimizer.ZeroGrad();
    }

    // Drops the step (no optimiser update, gradients cleared) and throws, or counts it when skipping.
    private float Reject(string task, string tensor, float value)
    {
        _optimizer.ZeroGrad();
        if (!_skipNonFinite) throw new NonFiniteTrainingException(Steps, task, tensor, value);
        SkippedBatches++;
        return float.NaN;
    }
}
