using Snr.Autograd;
using Snr.Core.Modules;
using Snr.Core.Routing;

namespace Snr.Core.Models;

/// <summary>
/// Sub-Network Routing (Ma et al., AAAI 2019), SNR-Trans or SNR-Aver: level-0 sub-networks
/// (<c>level0.{j}.{layer}</c>) read the input without gates; routing levels
/// (<c>routing.{l}.weight</c>, <c>routing.{l}.log_alpha</c>, …) connect them through
/// hard-concrete coding variables; output block t of the last level feeds task t's tower.
/// </summary>
public sealed class SnrModel : MultiTaskModel
{
    private readonly Mlp[] _level0;
    private readonly Tensor[] _level0Outputs;
    private readonly RoutingLevel[] _levels;
    private readonly int _lastWidth;

    /// <summary>Builds the model; call <see cref="Module.Initialize"/> (or use <see cref="ModelFactory.Create"/>) before training.</summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    public SnrModel(SnrConfig config) : base(Validated(config), LastWidth(config))
    {
        var hc = new HardConcrete(config.Beta, config.Gamma, config.Zeta);
        var level0 = AddModule("level0", new ModuleList());
        _level0 = new Mlp[config.Level0Blocks];
        for (int j = 0; j < _level0.Length; j++)
            _level0[j] = level0.Add(j, new Mlp(config.EncodedInputDim, config.Level0Hidden, activateLast: true));
        _level0Outputs = new Tensor[_level0.Length];

        var routing = AddModule("routing", new ModuleList());
        _levels = new RoutingLevel[config.Routing.Length];
        int blocks = config.Level0Blocks, width = config.Level0Hidden[^1];
        for (int l = 0; l < _levels.Length; l++)
        {
            var c = config.Routing[l];
            _levels[l] = routing.Add(l, config.Variant == SnrVariant.Trans
                ? new SnrTransLevel(blocks, width, c.Blocks, c.Width, c.Hidden, hc, config.InitialLogAlpha)
                : (RoutingLevel)new SnrAverLevel(blocks, width, c.Blocks, c.Hidden, hc, config.InitialLogAlpha));
            blocks = c.Blocks;
            width = _levels[l].OutputWidth;
        }
        _lastWidth = width;
    }

    /// <summary>The routing levels, bottom to top.</summary>
    public IReadOnlyList<RoutingLevel> Levels => _levels;

    /// <summary>The level-0 sub-networks.</summary>
    public IReadOnlyList<Mlp> Level0 => _level0;

    /// <summary>Forces every gate of every level open (z = 1): SNR-Trans then is a dense Shared-Bottom network.</summary>
    public void ForceGatesOpen()
    {
        foreach (var level in _levels) level.Gate.ForceOpen();
    }

    /// <summary>Forces z_ii = 1 and all other gates 0 on every (square) level: independent columns, one per task.</summary>
    /// <exception cref="InvalidOperationException">A level is not square.</exception>
    public void ForceGatesDiagonal()
    {
        foreach (var level in _levels) level.Gate.ForceDiagonal();
    }

    /// <summary>Removes all forcing.</summary>
    public void UnforceGates()
    {
        foreach (var level in _levels) level.Gate.Unforce();
    }

    /// <summary>The expected L0 norm Σ P(z ≠ 0) over every connection that is not fully forced.</summary>
    public override Tensor? Penalty()
    {
        Tensor? sum = null;
        foreach (var level in _levels)
        {
            if (level.Gate.IsFullyForced) continue;
            var p = level.Gate.Penalty();
            sum = sum is null ? p : Ops.Add(sum, p);
        }
        return sum;
    }

    /// <summary>Per connection of every level: log_alpha, the serving z and P(z ≠ 0).</summary>
    public IReadOnlyList<GateTableRow> GateTable()
    {
        var rows = new List<GateTableRow>();
        for (int l = 0; l < _levels.Length; l++)
        {
            var gate = _levels[l].Gate;
            string name = "routing." + l.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < gate.Outputs; i++)
                for (int j = 0; j < gate.Inputs; j++)
                    rows.Add(new GateTableRow(name, i, j, gate.LogAlpha.Data[i * gate.Inputs + j], gate.ServingGate(i, j), gate.ProbabilityNonZero(i, j)));
        }
        return rows;
    }

    /// <summary>The fraction of connections whose serving gate is exactly 0.</summary>
    public double ZeroGateFraction()
    {
        int zeros = 0, total = 0;
        foreach (var level in _levels)
            for (int i = 0; i < level.OutputBlocks; i++)
                for (int j = 0; j < level.InputBlocks; j++, total++)
                    if (level.Gate.ServingGate(i, j) == 0f) zeros++;
        return total == 0 ? 0 : (double)zeros / total;
    }

    /// <summary>
    /// Serving FLOPs per row counting only what a task can reach: walking down from the towers,
    /// a connection counts when its serving gate is non-zero and its output block is live, and
    /// a sub-network counts when some live connection reads it.
    /// </summary>
    public override long FlopsPerRow()
    {
        var live = new bool[_levels[^1].OutputBlocks];
        Array.Fill(live, true);
        long flops = TowerFlopsPerRow();
        for (int l = _levels.Length - 1; l >= 0; l--)
        {
            var below = new bool[_levels[l].InputBlocks];
            flops += _levels[l].LiveFlopsPerRow(live, below);
            live = below;
        }
        for (int j = 0; j < _level0.Length; j++)
            if (live[j]) flops += _level0[j].FlopsPerRow;
        return flops;
    }

    /// <inheritdoc/>
    protected override void ForwardCore(Tensor x, Tensor[] outputs)
    {
        for (int j = 0; j < _level0.Length; j++) _level0Outputs[j] = _level0[j].Forward(x);
        var h = _level0Outputs.Length == 1 ? _level0Outputs[0] : Ops.ConcatColumns(_level0Outputs);
        foreach (var level in _levels) h = level.Forward(h, Training);
        for (int t = 0; t < outputs.Length; t++)
            outputs[t] = Tower(t).Forward(outputs.Length == 1 ? h : Ops.SliceColumns(h, t * _lastWidth, _lastWidth));
    }

    private static SnrConfig Validated(SnrConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return config;
    }

    private static int LastWidth(SnrConfig config)
    {
        var last = config.Routing[^1];
        if (last.Hidden.Length > 0) return last.Hidden[^1];
        if (config.Variant == SnrVariant.Trans) return last.Width;
        // SNR-Aver keeps the width of its input blocks (validation requires Hidden, so this is defensive).
        return config.Routing.Length > 1 && config.Routing[^2].Hidden.Length > 0 ? config.Routing[^2].Hidden[^1] : config.Level0Hidden[^1];
    }
}
