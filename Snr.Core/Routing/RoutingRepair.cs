using Snr.Core.Models;
using Snr.Core.Modules;

namespace Snr.Core.Routing;

/// <summary>One serving gate that <see cref="RoutingRepair"/> opened or closed after training.</summary>
/// <param name="Level">The routing level.</param>
/// <param name="Output">The output block (the task's index at the last level).</param>
/// <param name="Input">The input block.</param>
/// <param name="Opened">True when the connection was opened, false when it was pruned.</param>
/// <param name="Reason">Why: a task without a path, or the budget.</param>
public sealed record GateChange(int Level, int Output, int Input, bool Opened, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"routing.{Level}[{Output},{Input}] {(Opened ? "opened" : "pruned")} ({Reason})";
}

/// <summary>
/// Makes the deterministic serving gates of an SNR model meet two rules that training only
/// approaches: every task keeps a path of non-zero gates down to a level-0 sub-network, and the
/// serving cost lies within a tolerance of a budget. It changes log α only across the serving
/// threshold log(−γ/ζ) (where the serving gate becomes 0), choosing connections by their log α.
/// </summary>
public static class RoutingRepair
{
    /// <summary>The log α a reopened connection gets (its serving gate is then 0.5, as at initialisation).</summary>
    public const float OpenLogAlpha = 0f;

    /// <summary>How far below the serving threshold a pruned connection's log α is set.</summary>
    public const float CloseMargin = 1f;

    /// <summary>
    /// Opens, for every task without a path of non-zero serving gates to the input, the connections of
    /// largest log α that give it one (reusing blocks that already have a path where possible).
    /// </summary>
    /// <returns>The connections opened, in order.</returns>
    public static IReadOnlyList<GateChange> ConnectEveryTask(SnrModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var changes = new List<GateChange>();
        int top = model.Levels.Count - 1;
        for (int t = 0; t < model.Levels[top].OutputBlocks; t++)
            if (!HasPaths(model)[top][t]) Connect(model, top, t, $"task '{model.Tasks[t].Name}' had no path", changes);
        return changes;
    }

    /// <summary>
    /// Moves the serving cost into [target·(1 − tolerance), target·(1 + tolerance)] where possible:
    /// while it is above, prunes the live connection of smallest log α whose removal keeps every task
    /// connected and lowers the cost; while it is below, opens the pruned connection of largest log α
    /// that raises the cost without passing the upper bound. Forced gates are left alone.
    /// </summary>
    /// <returns>The connections changed, in order.</returns>
    public static IReadOnlyList<GateChange> MeetBudget(SnrModel model, RoutingCost cost, double target, double tolerance)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cost);
        var changes = new List<GateChange>();
        double upper = target * (1 + tolerance), lower = target * (1 - tolerance);
        double current = cost.Serving();
        while (current > upper && TryChange(model, cost, ref current, open: false, upper, changes)) { }
        while (current < lower && TryChange(model, cost, ref current, open: true, upper, changes)) { }
        return changes;
    }

    /// <summary>Per level, per output block: true when a path of non-zero serving gates leads from it down to a level-0 sub-network.</summary>
    public static bool[][] HasPaths(SnrModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var paths = new bool[model.Levels.Count][];
        for (int l = 0; l < paths.Length; l++)
        {
            var gate = model.Levels[l].Gate;
            bool[] below = l == 0 ? [.. Enumerable.Repeat(true, gate.Inputs)] : paths[l - 1];
            paths[l] = new bool[gate.Outputs];
            BlockReach.Outputs(gate.ServingGates(), gate.Outputs, gate.Inputs, below, paths[l]);
        }
        return paths;
    }

    private static bool EveryTaskConnected(SnrModel model) => Array.TrueForAll(HasPaths(model)[^1], p => p);

    // Gives block i of level l a path: through an input that has one if any (largest log α first), else through the best input, repaired first.
    private static void Connect(SnrModel model, int l, int i, string reason, List<GateChange> changes)
    {
        var gate = model.Levels[l].Gate;
        bool[]? below = l == 0 ? null : HasPaths(model)[l - 1];
        int best = -1, fallback = -1;
        for (int j = 0; j < gate.Inputs; j++)
        {
            if (gate.IsForced(i, j) && gate.ServingGate(i, j) == 0f) continue;
            if (fallback < 0 || LogAlpha(gate, i, j) > LogAlpha(gate, i, fallback)) fallback = j;
            if ((below is null || below[j]) && (best < 0 || LogAlpha(gate, i, j) > LogAlpha(gate, i, best))) best = j;
        }
        if (fallback < 0) throw new InvalidOperationException($"routing.{l} block {i}: every incoming gate is forced to 0, so no path can be opened.");
        if (best < 0)
        {
            best = fallback;
            Connect(model, l - 1, best, reason, changes);
        }
        if (gate.ServingGate(i, best) == 0f)
        {
            gate.LogAlpha.Data[i * gate.Inputs + best] = OpenLogAlpha;
            changes.Add(new GateChange(l, i, best, Opened: true, reason));
        }
    }

    // One greedy move: prune (or open) the admissible free connection with the smallest (largest) log α.
    private static bool TryChange(SnrModel model, RoutingCost cost, ref double current, bool open, double upper, List<GateChange> changes)
    {
        var candidates = new List<(int Level, int I, int J, float LogAlpha)>();
        for (int l = 0; l < model.Levels.Count; l++)
        {
            var gate = model.Levels[l].Gate;
            for (int i = 0; i < gate.Outputs; i++)
                for (int j = 0; j < gate.Inputs; j++)
                    if (!gate.IsForced(i, j) && (gate.ServingGate(i, j) == 0f) == open) candidates.Add((l, i, j, LogAlpha(gate, i, j)));
        }
        candidates.Sort((a, b) => open ? b.LogAlpha.CompareTo(a.LogAlpha) : a.LogAlpha.CompareTo(b.LogAlpha));
        foreach (var (l, i, j, logAlpha) in candidates)
        {
            var gate = model.Levels[l].Gate;
            int k = i * gate.Inputs + j;
            gate.LogAlpha.Data[k] = open ? Math.Max(OpenLogAlpha, logAlpha) : ClosedLogAlpha(gate.HardConcrete);
            double next = cost.Serving();
            bool admissible = open ? next > current && next <= upper : next < current && EveryTaskConnected(model);
            if (admissible)
            {
                current = next;
                changes.Add(new GateChange(l, i, j, open, "budget"));
                return true;
            }
            gate.LogAlpha.Data[k] = logAlpha;
        }
        return false;
    }

    private static float LogAlpha(HardConcreteGate gate, int i, int j) => gate.LogAlpha.Data[i * gate.Inputs + j];

    // The serving gate clamp(sigmoid(log α)·(ζ − γ) + γ, 0, 1) is 0 from log α = log(−γ/ζ) down.
    private static float ClosedLogAlpha(Autograd.HardConcrete hc) => MathF.Log(-hc.Gamma / hc.Zeta) - CloseMargin;
}
