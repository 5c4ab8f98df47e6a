using Snr.Autograd;
using Snr.Core.Models;
using Snr.Core.Modules;
using Snr.Core.Serving;

namespace Snr.Core.Routing;

/// <summary>What a <see cref="RoutingCost"/> counts.</summary>
public enum RoutingCostUnit
{
    /// <summary>Serving FLOPs per row (2 per multiply-add), towers and sub-networks included.</summary>
    Flops,

    /// <summary>Live routing connections: connections with a non-zero gate that some task still reaches.</summary>
    Connections,
}

/// <summary>
/// The serving cost of an SNR model as a function of which gates are non-zero, counting a
/// sub-network's own cost only as far as some path of non-zero gates still reaches a task.
/// </summary>
/// <remarks>
/// <para>
/// With q^l_ij the probability that gate (i, j) of routing level l is non-zero, and the gates
/// independent, the probability that output block i of level l is read by some task is
/// propagated down from the towers:
/// </para>
/// <code>
/// r^top_i   = 1                                          (every block of the last level feeds a tower)
/// r^(l−1)_j = 1 − Π_i (1 − r^l_i · q^l_ij)               (input block j of level l, = output block j of level l − 1 or level-0 sub-network j)
/// C(q)      = towers + Σ_l Σ_i r^l_i · (B_l + E_l · Σ_j q^l_ij) + Σ_j r^0_j · A
/// </code>
/// <para>
/// where B_l is the cost of a level-l block's own sub-network, E_l of one level-l connection and A
/// of a level-0 sub-network. With q = P(z ≠ 0) = sigmoid(log α − β·log(−γ/ζ)) this is the expected
/// cost under the training distribution of the gates (exact for up to two routing levels: the reach
/// events of different blocks of one level then depend on disjoint gates; beyond that the product
/// treats them as independent). With q = 1[serving z ≠ 0] it is the cost of the pruned serving
/// model, which is what the compiled predictor reports. With unit <see cref="RoutingCostUnit.Connections"/>,
/// E = 1 and everything else 0: the (expected) number of live connections.
/// </para>
/// </remarks>
public sealed class RoutingCost
{
    private readonly SnrModel _model;
    private readonly double _towers, _level0;
    private readonly double[] _block, _connection;
    private readonly double[][] _q, _gradQ, _reach, _gradReach;
    private readonly Tensor[] _gradLogAlpha;
    private readonly Tensor _constant = Tensor.Zeros(Shape.Scalar);

    /// <summary>Reads the per-block and per-connection costs of <paramref name="model"/>.</summary>
    public RoutingCost(SnrModel model, RoutingCostUnit unit = RoutingCostUnit.Flops)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(unit)) throw new ArgumentOutOfRangeException(nameof(unit), unit, "unknown unit");
        _model = model;
        Unit = unit;
        var levels = model.Levels;
        bool flops = unit == RoutingCostUnit.Flops;
        // The costs are the serving nodes' own FLOP counts, read off the model's unpruned serving graph.
        var graph = model.ServingGraph();
        double Groups(string prefix) => graph.Nodes.OfType<GroupedLinearNode>().SelectMany(n => n.Groups)
            .Where(g => g.Name.StartsWith(prefix, StringComparison.Ordinal)).Sum(g => 2.0 * g.InWidth * g.OutWidth);
        _towers = flops ? Groups("towers.") : 0;
        _level0 = flops ? Groups("level0.0.") : 0;
        _block = new double[levels.Count];
        _connection = new double[levels.Count];
        _q = new double[levels.Count][];
        _gradQ = new double[levels.Count][];
        _reach = new double[levels.Count + 1][];
        _gradReach = new double[levels.Count + 1][];
        _gradLogAlpha = new Tensor[levels.Count];
        _reach[0] = new double[model.Level0.Count];
        _gradReach[0] = new double[model.Level0.Count];
        for (int l = 0; l < levels.Count; l++)
        {
            var level = levels[l];
            _block[l] = flops ? Groups($"routing.{l}.blocks.0.") : 0;
            _connection[l] = flops ? graph.Nodes.First(n => n.Name == $"routing.{l}").FlopsPerConnection : 1;
            _q[l] = new double[level.OutputBlocks * level.InputBlocks];
            _gradQ[l] = new double[_q[l].Length];
            _reach[l + 1] = new double[level.OutputBlocks];
            _gradReach[l + 1] = new double[level.OutputBlocks];
            _gradLogAlpha[l] = Tensor.Zeros(level.OutputBlocks, level.InputBlocks);
        }
        Dense = Evaluate(AllOpen(), gradient: false);
        MinimalFeasible = Evaluate(Spine(), gradient: false);
    }

    /// <summary>What the cost counts.</summary>
    public RoutingCostUnit Unit { get; }

    /// <summary>The cost with every gate non-zero.</summary>
    public double Dense { get; }

    /// <summary>
    /// The smallest cost that keeps a path into every task: each task's block of the last level
    /// reads one block below, and one chain of single connections leads from there to one level-0
    /// sub-network (every block of a level costs the same, so no other pattern is cheaper).
    /// </summary>
    public double MinimalFeasible { get; }

    /// <summary>The cost of the pruned serving model: q = 1 where the serving gate is non-zero (forced gates included).</summary>
    public double Serving() => Evaluate(PerGate(static (gate, i, j) => gate.ServingGate(i, j) != 0f ? 1 : 0), gradient: false);

    /// <summary>The expected cost under the training distribution of the gates: q = P(z ≠ 0) (0 or 1 for a forced gate).</summary>
    public double Expected() => Evaluate(TrainingProbabilities(), gradient: false);

    /// <summary>
    /// The expected cost as a differentiable scalar of every level's log α: its value is
    /// <see cref="Expected"/>, its gradient ∂C/∂log α = ∂C/∂q · q(1 − q) (0 for forced gates).
    /// Recorded on the current tape as Σ_l Σ(log α_l ⊙ G_l) + (C − Σ_l Σ(log α_l ⊙ G_l)) with the
    /// gradients G_l computed here in closed form and held constant, so it composes public ops only.
    /// The returned tensor is valid until the tape's reset; the next call reuses its constants.
    /// </summary>
    public Tensor ExpectedTensor()
    {
        var levels = _model.Levels;
        double cost = Evaluate(TrainingProbabilities(), gradient: true);
        double linear = 0;
        Tensor? sum = null;
        for (int l = 0; l < levels.Count; l++)
        {
            var gate = levels[l].Gate;
            Span<float> g = _gradLogAlpha[l].Data;
            ReadOnlySpan<float> logAlpha = gate.LogAlpha.Data;
            for (int k = 0; k < g.Length; k++)
            {
                double q = _q[l][k];
                g[k] = gate.IsForced(k / gate.Inputs, k % gate.Inputs) ? 0f : (float)(_gradQ[l][k] * q * (1 - q));
                linear += (double)g[k] * logAlpha[k];
            }
            var term = Ops.Sum(Ops.Multiply(gate.LogAlpha, _gradLogAlpha[l]));
            sum = sum is null ? term : Ops.Add(sum, term);
        }
        _constant.Data[0] = (float)(cost - linear);
        return Ops.Add(sum!, _constant);
    }

    /// <summary>
    /// C(q) for the given probabilities q[l][i·kIn + j] of every level; with <paramref name="gradient"/>,
    /// also ∂C/∂q into the cost's gradient buffers (read by <see cref="ExpectedTensor"/>).
    /// </summary>
    private double Evaluate(double[][] q, bool gradient)
    {
        var levels = _model.Levels;
        int top = levels.Count;
        Array.Fill(_reach[top], 1.0);
        double cost = _towers;
        // Down from the towers: each level's own cost given its outputs' reach, then its inputs' reach.
        for (int l = top - 1; l >= 0; l--)
        {
            int kOut = levels[l].OutputBlocks, kIn = levels[l].InputBlocks;
            double[] reachOut = _reach[l + 1], reachIn = _reach[l], ql = q[l];
            for (int i = 0; i < kOut; i++)
                cost += reachOut[i] * BlockCost(l, ql, i, kIn);
            for (int j = 0; j < kIn; j++)
            {
                double none = 1;
                for (int i = 0; i < kOut; i++) none *= 1 - reachOut[i] * ql[i * kIn + j];
                reachIn[j] = 1 - none;
            }
        }
        foreach (double r in _reach[0]) cost += r * _level0;
        if (gradient) Backward(q);
        return cost;
    }

    // Reverse mode through Evaluate, bottom up: _gradReach[l] holds ∂C/∂r of level l's inputs (= level l − 1's outputs).
    private void Backward(double[][] q)
    {
        var levels = _model.Levels;
        Array.Fill(_gradReach[0], _level0);
        for (int l = 0; l < levels.Count; l++)
        {
            int kOut = levels[l].OutputBlocks, kIn = levels[l].InputBlocks;
            double[] reachOut = _reach[l + 1], ql = q[l], gq = _gradQ[l], g = _gradReach[l], gOut = _gradReach[l + 1];
            for (int i = 0; i < kOut; i++)
                gOut[i] = BlockCost(l, ql, i, kIn);
            for (int j = 0; j < kIn; j++)
                for (int i = 0; i < kOut; i++)
                {
                    // ∂r_j/∂(r_i·q_ij) = Π_{k≠i} (1 − r_k·q_kj), by a loop rather than a division (a factor may be 0).
                    double others = 1;
                    for (int k = 0; k < kOut; k++)
                        if (k != i) others *= 1 - reachOut[k] * ql[k * kIn + j];
                    gq[i * kIn + j] = reachOut[i] * (_connection[l] + g[j] * others);
                    gOut[i] += g[j] * others * ql[i * kIn + j];
                }
        }
    }

    // What output block i of level l costs when it is read: its own sub-network and its open connections.
    private double BlockCost(int l, double[] ql, int i, int kIn)
    {
        double open = 0;
        for (int j = 0; j < kIn; j++) open += ql[i * kIn + j];
        return _block[l] + _connection[l] * open;
    }

    private double[][] TrainingProbabilities() => PerGate(static (gate, i, j) => gate.ProbabilityNonZero(i, j));

    // q[l][i·kIn + j] = q(gate of level l, i, j) for every gate of every level.
    private double[][] PerGate(Func<HardConcreteGate, int, int, double> q)
    {
        var levels = _model.Levels;
        for (int l = 0; l < levels.Count; l++)
        {
            var gate = levels[l].Gate;
            for (int i = 0; i < gate.Outputs; i++)
                for (int j = 0; j < gate.Inputs; j++)
                    _q[l][i * gate.Inputs + j] = q(gate, i, j);
        }
        return _q;
    }

    private double[][] AllOpen()
    {
        foreach (var q in _q) Array.Fill(q, 1.0);
        return _q;
    }

    // Every block of the last level reads block 0 below; below that only block 0 reads block 0.
    private double[][] Spine()
    {
        var levels = _model.Levels;
        for (int l = 0; l < levels.Count; l++)
        {
            Array.Clear(_q[l]);
            int rows = l == levels.Count - 1 ? levels[l].OutputBlocks : 1;
            for (int i = 0; i < rows; i++) _q[l][i * levels[l].InputBlocks] = 1;
        }
        return _q;
    }
}
