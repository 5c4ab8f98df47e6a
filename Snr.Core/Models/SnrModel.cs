using Snr.Autograd;
using Snr.Core.Modules;
using Snr.Core.Routing;
using Snr.Core.Serving;

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
    // Per step: each level's gates, which of its output blocks a task reaches, and the masks that zero the rest.
    private readonly Tensor[] _gates;
    private readonly bool[][] _outputLive;
    private readonly bool[] _level0Live;
    private readonly Tensor[] _rowMasks;

    /// <summary>Builds the model; call <see cref="Module.Initialize"/> (or use <see cref="ModelFactory.Create"/>) before training.</summary>
    /// <exception cref="ConfigException">The configuration is invalid.</exception>
    public SnrModel(SnrConfig config) : base(Validated(config), LastWidth(config))
    {
        var hc = new HardConcrete(config.Beta, config.Gamma, config.Zeta);
        _level0 = AddModules("level0", config.Level0Blocks, _ => new Mlp(config.InputWidth, config.Level0Hidden, activateLast: true));
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
        _gates = new Tensor[_levels.Length];
        _outputLive = [.. _levels.Select(level => new bool[level.OutputBlocks])];
        _rowMasks = [.. _levels.Select(level => Tensor.Zeros(level.OutputBlocks, level.InputBlocks))];
        _level0Live = new bool[_level0.Length];
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
        float[] z = [.. _levels.SelectMany(level => level.Gate.ServingGates())];
        return z.Length == 0 ? 0 : (double)z.Count(v => v == 0f) / z.Length;
    }

    /// <summary>
    /// Whether a step skips the sub-networks that no task reaches under that step's gates (default
    /// true). Skipping changes no output and no gradient — nothing a task reads depends on them — it
    /// only saves their arithmetic, which is what lets sparse routing make training cheaper.
    /// </summary>
    public bool SkipUnreachable { get; set; } = true;

    private protected override void ForwardCore(Tensor x, Tensor[] outputs, bool training)
    {
        // 1. This step's gates, then which blocks some task can reach through non-zero gates,
        //    walking down from the towers (every block of the last level feeds a tower).
        int levels = _levels.Length;
        for (int l = 0; l < levels; l++) _gates[l] = _levels[l].Gate.Gates(training);
        Array.Fill(_outputLive[levels - 1], true);
        for (int l = levels - 1; l >= 0; l--)
        {
            bool[] below = l > 0 ? _outputLive[l - 1] : _level0Live;
            var level = _levels[l];
            if (!SkipUnreachable)
            {
                Array.Fill(below, true);
                continue;
            }
            BlockReach.Inputs(_gates[l].Data, level.OutputBlocks, level.InputBlocks, _outputLive[l], below);
            // 2. Zero the gates into unreachable blocks, so that the routed matmul skips them as well.
            //    Applied even when every block is live: a step then records the same ops whatever the
            //    gates, and the tape's pools stop growing after the first step.
            Span<float> mask = _rowMasks[l].Data;
            for (int i = 0; i < level.OutputBlocks; i++)
                mask.Slice(i * level.InputBlocks, level.InputBlocks).Fill(_outputLive[l][i] ? 1f : 0f);
            _gates[l] = Ops.Multiply(_gates[l], _rowMasks[l]);
        }

        // 3. The network, reading zeros where a sub-network is skipped (a tape-owned constant that takes
        //    over the buffer the skipped sub-network's output would have used).
        int width0 = _level0[0].OutFeatures;
        for (int j = 0; j < _level0.Length; j++)
            _level0Outputs[j] = _level0Live[j] ? _level0[j].Forward(x) : Ops.Zeros(x.Rows, width0);
        var h = _level0Outputs.Length == 1 ? _level0Outputs[0] : Ops.ConcatColumns(_level0Outputs);
        for (int l = 0; l < levels; l++) h = _levels[l].Forward(h, _gates[l], _outputLive[l]);
        for (int t = 0; t < outputs.Length; t++)
            outputs[t] = Tower(t).Forward(outputs.Length == 1 ? h : Ops.SliceColumns(h, t * _lastWidth, _lastWidth));
    }

    private protected override (int, int) WriteServingNodes(ServingGraphWriter graph)
    {
        int h = graph.AddMlps(0, "level0", _level0, sharedInput: true, activateLast: true);
        for (int l = 0; l < _levels.Length; l++) h = _levels[l].WriteServingNodes(graph, $"routing.{l}", h);
        return (h, _lastWidth);
    }

    // Validation requires SNR-Aver's last level to have a sub-network, so without one the level is SNR-Trans.
    private static int LastWidth(SnrConfig config) => config.Routing[^1].Hidden is [.., int last] ? last : config.Routing[^1].Width;
}
