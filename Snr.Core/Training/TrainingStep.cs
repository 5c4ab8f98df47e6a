using Snr.Autograd;
using Snr.Core.Models;

namespace Snr.Core.Training;

/// <summary>
/// One optimisation step of a multi-task model, allocation-free after the first call:
/// forward → loss = Σ_t w_t·loss_t + λ·penalty → backward → gradient clipping → optimiser update
/// → zero gradients → <see cref="Tape.Reset"/>.
/// </summary>
/// <remarks>loss_t is the mean binary cross-entropy with logits of a binary task, the mean squared error of a regression task.</remarks>
public sealed class TrainingStep
{
    private readonly MultiTaskModel _model;
    private readonly Optimizer _optimizer;
    private readonly float[] _weights;
    private readonly float _lambda, _maxGradNorm;

    /// <summary>Creates the step.</summary>
    /// <param name="model">The model (put in training mode by each step).</param>
    /// <param name="optimizer">An optimiser over the model's parameters.</param>
    /// <param name="lossWeights">w_t, one per task.</param>
    /// <param name="l0Lambda">λ, the weight of <see cref="MultiTaskModel.Penalty"/> (0: not computed).</param>
    /// <param name="maxGradNorm">Global gradient-norm clip (0: off).</param>
    /// <exception cref="ArgumentException">Not one loss weight per task.</exception>
    public TrainingStep(MultiTaskModel model, Optimizer optimizer, ReadOnlySpan<float> lossWeights, float l0Lambda = 0f, float maxGradNorm = 0f)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (lossWeights.Length != model.Tasks.Count)
            throw new ArgumentException($"{lossWeights.Length} loss weights for {model.Tasks.Count} tasks.", nameof(lossWeights));
        _model = model;
        _optimizer = optimizer;
        _weights = lossWeights.ToArray();
        _lambda = l0Lambda;
        _maxGradNorm = maxGradNorm;
    }

    /// <summary>The optimiser.</summary>
    public Optimizer Optimizer => _optimizer;

    /// <summary>
    /// Runs one step on a batch and returns the total loss (before the update).
    /// </summary>
    /// <param name="x">[batch, input_dim].</param>
    /// <param name="targets">One [batch, 1] (or [batch]) tensor of labels per task.</param>
    /// <param name="taskLosses">When not empty, receives each task's unweighted loss.</param>
    /// <exception cref="ArgumentException">Not one target per task, or shapes that do not fit.</exception>
    public float Run(Tensor x, ReadOnlySpan<Tensor> targets, Span<float> taskLosses = default)
    {
        if (targets.Length != _weights.Length) throw new ArgumentException($"{targets.Length} targets for {_weights.Length} tasks.", nameof(targets));
        var tape = Tape.Current;
        try
        {
            _model.Training = true;
            var outputs = _model.Forward(x);
            Tensor? loss = null;
            for (int t = 0; t < outputs.Length; t++)
            {
                var taskLoss = _model.Tasks[t].Kind == TaskKind.Binary
                    ? Ops.BceWithLogits(outputs[t], targets[t])
                    : Ops.MseLoss(outputs[t], targets[t]);
                if (!taskLosses.IsEmpty) taskLosses[t] = taskLoss.Item();
                var weighted = _weights[t] == 1f ? taskLoss : Ops.Scale(taskLoss, _weights[t]);
                loss = loss is null ? weighted : Ops.Add(loss, weighted);
            }
            if (_lambda > 0 && _model.Penalty() is { } penalty)
                loss = Ops.Add(loss!, Ops.Scale(penalty, _lambda));
            float total = loss!.Item();
            loss.Backward();
            if (_maxGradNorm > 0) GradientClipping.ClipByGlobalNorm(_optimizer.Parameters, _maxGradNorm);
            _optimizer.Step();
            _optimizer.ZeroGrad();
            return total;
        }
        finally
        {
            tape.Reset();
        }
    }
}
