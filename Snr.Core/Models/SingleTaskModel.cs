using Snr.Autograd;
using Snr.Core.Modules;
using Snr.Core.Serving;

namespace Snr.Core.Models;

/// <summary>
/// The single-task baseline: one independent network per task (<c>tasks.{task}.{layer}</c>)
/// followed by its tower; nothing is shared. Trained jointly, it is the same as training one
/// model per task.
/// </summary>
public sealed class SingleTaskModel : MultiTaskModel
{
    private readonly Mlp[] _networks;

    /// <summary>Builds the model; call <see cref="Module.Initialize"/> (or use <see cref="ModelFactory.Create"/>) before training.</summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    public SingleTaskModel(SingleTaskConfig config)
        : base(Validated(config), config.Hidden.Length == 0 ? config.InputWidth : config.Hidden[^1])
    {
        _networks = AddModules("tasks", config.Tasks.Length, _ => new Mlp(config.InputWidth, config.Hidden, activateLast: true), TaskNames);
    }

    private protected override void ForwardCore(Tensor x, Tensor[] outputs, bool training)
    {
        for (int t = 0; t < outputs.Length; t++) outputs[t] = Tower(t).Forward(_networks[t].Forward(x));
    }

    private protected override (int, int) WriteServingNodes(ServingGraphWriter graph) =>
        (graph.AddMlps(0, "tasks", _networks, sharedInput: true, activateLast: true), _networks[0].OutFeatures);
}
