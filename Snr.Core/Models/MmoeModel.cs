using Snr.Autograd;
using Snr.Core.Modules;
using Snr.Core.Serving;

namespace Snr.Core.Models;

/// <summary>
/// Multi-gate Mixture-of-Experts (Ma et al., KDD 2018): E expert MLPs read the input
/// (<c>experts.{k}.{layer}</c>); task t's gate is a softmax over the experts of a linear map of
/// the input (<c>gates.{task}</c>), and its tower reads the mixture Σ_k g_tk·expert_k.
/// </summary>
public sealed class MmoeModel : MultiTaskModel
{
    private readonly Mlp[] _experts;
    private readonly Linear[] _gates;
    private readonly Tensor[] _expertOutputs;

    /// <summary>Builds the model; call <see cref="Module.Initialize"/> (or use <see cref="ModelFactory.Create"/>) before training.</summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    public MmoeModel(MmoeConfig config) : base(Validated(config), config.ExpertHidden[^1])
    {
        _experts = AddModules("experts", config.Experts, _ => new Mlp(config.InputWidth, config.ExpertHidden, activateLast: true));
        _gates = AddModules("gates", config.Tasks.Length, _ => new Linear(config.InputWidth, config.Experts), TaskNames);
        _expertOutputs = new Tensor[config.Experts];
    }

    /// <summary>
    /// Task <paramref name="task"/>'s gate weights for each row of x: softmax(x·Wgᵀ + bg), [batch, E],
    /// computed without recording gradients. Each row sums to 1.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No such task.</exception>
    public Tensor GateWeights(Tensor x, int task)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(task, _gates.Length);
        using var _ = Tape.NoGrad();
        return Ops.SoftmaxRows(_gates[task].Forward(x));
    }

    /// <summary>
    /// Expert utilisation: the mean gate weight of each expert per task over the rows of x,
    /// [tasks][experts] (each task's row sums to 1).
    /// </summary>
    public float[][] ExpertUtilisation(Tensor x)
    {
        var result = new float[_gates.Length][];
        for (int t = 0; t < _gates.Length; t++)
        {
            var g = GateWeights(x, t);
            var mean = new float[_experts.Length];
            Snr.Kernels.RowOps.SumColumns(g.Data, mean, g.Rows, g.Cols);
            for (int k = 0; k < mean.Length; k++) mean[k] /= Math.Max(g.Rows, 1);
            result[t] = mean;
        }
        return result;
    }

    private protected override void ForwardCore(Tensor x, Tensor[] outputs, bool training)
    {
        for (int k = 0; k < _experts.Length; k++) _expertOutputs[k] = _experts[k].Forward(x);
        // The experts side by side, [batch, E·h], so that one MixExperts per task does the mixture.
        var stacked = _expertOutputs.Length == 1 ? _expertOutputs[0] : Ops.ConcatColumns(_expertOutputs);
        for (int t = 0; t < outputs.Length; t++)
        {
            var gate = Ops.SoftmaxRows(_gates[t].Forward(x));
            outputs[t] = Tower(t).Forward(Ops.MixExperts(stacked, gate));
        }
    }

    private protected override (int, int) WriteServingNodes(ServingGraphWriter graph)
    {
        int experts = graph.AddMlps(0, "experts", _experts, sharedInput: true, activateLast: true);
        int count = _experts.Length, width = _experts[0].OutFeatures;
        var gateGroups = _gates.Select((g, t) => ServingGraphWriter.Group($"gates.{Tasks[t].Name}", g, 0, t * count)).ToArray();
        int gates = graph.Add(new GroupedLinearNode("gates", 0, gateGroups.Length * count, gateGroups, ServingActivation.None));
        return (graph.Add(new MixtureNode("mixture", experts, count, width, gates, Tasks.Count)), width);
    }
}
