using Snr.Autograd;
using Snr.Core.Modules;
using Snr.Core.Serving;

namespace Snr.Core.Models;

/// <summary>
/// Shared-Bottom (Caruana, 1997): one MLP shared by all tasks (<c>bottom.{layer}</c>), then one
/// tower per task reading the whole shared representation.
/// </summary>
public sealed class SharedBottomModel : MultiTaskModel
{
    private readonly Mlp _bottom;

    /// <summary>Builds the model; call <see cref="Module.Initialize"/> (or use <see cref="ModelFactory.Create"/>) before training.</summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    public SharedBottomModel(SharedBottomConfig config) : base(Validated(config), config.BottomHidden[^1])
    {
        _bottom = AddModule("bottom", new Mlp(config.InputWidth, config.BottomHidden, activateLast: true));
    }

    private protected override void ForwardCore(Tensor x, Tensor[] outputs, bool training)
    {
        var shared = _bottom.Forward(x);
        for (int t = 0; t < outputs.Length; t++) outputs[t] = Tower(t).Forward(shared);
    }

    private protected override (int, int) WriteServingNodes(ServingGraphWriter graph) =>
        (graph.AddMlps(0, "bottom", [_bottom], sharedInput: true, activateLast: true), 0);
}
