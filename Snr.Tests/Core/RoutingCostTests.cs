using Snr.Core.Routing;

namespace Snr.Tests.Core;

/// <summary>The expected serving cost against brute-force enumeration of gate states, its gradient against finite differences, the serving cost against the predictor.</summary>
public class RoutingCostTests
{
    public RoutingCostTests() => Tape.Current.Reset();

    private static SnrModel Model(SnrVariant variant, ulong seed = 5)
    {
        var config = variant == SnrVariant.Trans
            ? CoreTestModels.SnrTrans(6, CoreTestModels.Regression, seed)
            : CoreTestModels.SnrAver(6, CoreTestModels.Regression, seed) with
            {
                Routing = [new RoutingLevelConfig(3, 0, 8), new RoutingLevelConfig(2, 0, 8)],
            };
        var model = (SnrModel)ModelFactory.Create(config);
        var rng = new Snr.Kernels.CounterRng(seed);
        foreach (var level in model.Levels)
        {
            rng.FillNormal(level.Gate.LogAlpha.Data, stream: (ulong)level.Gate.Outputs * 7 + (ulong)level.Gate.Inputs);
            foreach (ref float a in level.Gate.LogAlpha.Data) a *= 2f;
        }
        return model;
    }

    public static TheoryData<SnrVariant> Variants() => [SnrVariant.Trans, SnrVariant.Aver];

    [Theory]
    [MemberData(nameof(Variants))]
    public void Expected_cost_equals_the_probability_weighted_cost_of_every_gate_state(SnrVariant variant)
    {
        var model = Model(variant);
        var gates = model.Levels.Select(l => l.Gate).ToArray();
        int count = gates.Sum(g => g.Outputs * g.Inputs);
        var p = gates.SelectMany(g => Enumerable.Range(0, g.Outputs * g.Inputs).Select(k => (double)g.ProbabilityNonZero(k / g.Inputs, k % g.Inputs))).ToArray();
        double expectedFlops = 0, expectedLive = 0;
        var predictorLive = new Func<int>(() => Predictor.Compile(model).Summary.LiveConnections);
        for (int state = 0; state < 1 << count; state++)
        {
            double probability = 1;
            int k = 0;
            foreach (var gate in gates)
            {
                var values = new float[gate.Outputs * gate.Inputs];
                for (int c = 0; c < values.Length; c++, k++)
                {
                    bool on = (state >> k & 1) == 1;
                    values[c] = on ? 1f : 0f;
                    probability *= on ? p[k] : 1 - p[k];
                }
                gate.Force(values);
            }
            // The model's own walk over the forced (serving) gates is the reference cost of this state.
            expectedFlops += probability * ServedFlops(model);
            if ((state & 63) == 0) Assert.Equal(new RoutingCost(model, RoutingCostUnit.Connections).Serving(), predictorLive());
            expectedLive += probability * new RoutingCost(model, RoutingCostUnit.Connections).Serving();
        }
        model.UnforceGates();
        Assert.Equal(expectedFlops, new RoutingCost(model).Expected(), expectedFlops * 1e-9);
        Assert.Equal(expectedLive, new RoutingCost(model, RoutingCostUnit.Connections).Expected(), 1e-9);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Expected_cost_tensor_has_the_value_and_gradient_of_the_cost(SnrVariant variant)
    {
        var model = Model(variant);
        var cost = new RoutingCost(model);
        var logAlphas = model.Levels.Select(l => l.Gate.LogAlpha).ToArray();
        Assert.Equal(cost.Expected(), cost.ExpectedTensor().Item(), cost.Expected() * 1e-6);
        Tape.Current.Reset();
        // Scaled to order 1 so that the float32 finite differences resolve it.
        var result = GradientChecker.Check(() => Ops.Scale(cost.ExpectedTensor(), (float)(10 / cost.Dense)), logAlphas, epsilon: 1e-2f, tolerance: 5e-3);
        Assert.True(result.Passed, result.ToString());
        var connections = new RoutingCost(model, RoutingCostUnit.Connections);
        result = GradientChecker.Check(() => connections.ExpectedTensor(), logAlphas, epsilon: 1e-2f, tolerance: 5e-3);
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Serving_cost_is_what_the_model_and_the_compiled_predictor_count(SnrVariant variant)
    {
        var model = Model(variant);
        var cost = new RoutingCost(model);
        Assert.Equal(ServedFlops(model), cost.Serving());
        Assert.Equal(Predictor.Compile(model).Summary.FlopsPerRow, cost.Serving());
        model.ForceGatesOpen();
        Assert.Equal(ServedFlops(model), cost.Dense);
        Assert.Equal(cost.Dense, cost.Serving());
    }

    [Fact]
    public void Minimal_feasible_cost_is_one_connection_per_task_and_one_chain_below()
    {
        var model = Model(SnrVariant.Trans);
        var connections = new RoutingCost(model, RoutingCostUnit.Connections);
        Assert.Equal(2 + 1, connections.MinimalFeasible);   // two tasks on one level-1 block, one connection below it
        Assert.Equal(3 * 3 + 2 * 3, connections.Dense);
        // Force that pattern: its cost is the minimal feasible one and every task still has a path.
        model.Levels[0].Gate.Force([1, 0, 0, 0, 0, 0, 0, 0, 0]);
        model.Levels[1].Gate.Force([1, 0, 0, 1, 0, 0]);
        var flops = new RoutingCost(model);
        Assert.Equal(flops.MinimalFeasible, flops.Serving());
        Assert.All(RoutingRepair.HasPaths(model)[^1], Assert.True);
    }

    [Fact]
    public void Repair_reconnects_a_cut_off_task_and_meet_budget_lands_in_the_band()
    {
        var model = Model(SnrVariant.Trans);
        foreach (var level in model.Levels) level.Gate.LogAlpha.Data.Fill(-6f);    // every serving gate 0
        Assert.DoesNotContain(true, RoutingRepair.HasPaths(model)[^1]);
        var changes = RoutingRepair.ConnectEveryTask(model);
        Assert.All(RoutingRepair.HasPaths(model)[^1], Assert.True);
        Assert.Equal(3, changes.Count);                                             // two into the tasks, one below a shared block
        var cost = new RoutingCost(model);
        Assert.Equal(cost.MinimalFeasible, cost.Serving());

        double target = 0.6 * cost.Dense;
        RoutingRepair.MeetBudget(model, cost, target, 0.1);
        Assert.InRange(cost.Serving(), 0.9 * target, 1.1 * target);
        Assert.All(RoutingRepair.HasPaths(model)[^1], Assert.True);
        foreach (var level in model.Levels) level.Gate.LogAlpha.Data.Fill(3f);     // dense
        RoutingRepair.MeetBudget(model, cost, target, 0.1);
        Assert.InRange(cost.Serving(), 0.9 * target, 1.1 * target);
        Assert.All(RoutingRepair.HasPaths(model)[^1], Assert.True);
    }

    // What the compiled predictor runs per row: the reference every cost is checked against.
    private static long ServedFlops(MultiTaskModel model)
    {
        using var predictor = Predictor.Compile(model);
        return predictor.Summary.FlopsPerRow;
    }
}
