namespace Snr.Tests.Core;

public class ModelTests
{
    public ModelTests() => Tape.Current.Reset();

    private static Tensor Input(int rows, int d, ulong seed) => TestData.Normal(Shape.Matrix(rows, d), seed, requiresGrad: false);

    // SNR-Trans: 3 level-0 blocks 5→4, routing 3×4 → 3×4, last routing 3×4 → 2×3, towers 3→2→1.
    private static SnrConfig SnrShape => new()
    {
        NumericInputs = 5, Tasks = CoreTestModels.Binary, Level0Blocks = 3, Level0Hidden = [4],
        Routing = [new RoutingLevelConfig(3, 4), new RoutingLevelConfig(2, 3)], TowerHidden = [2], Seed = 3,
    };

    [Fact]
    public void With_all_gates_open_snr_trans_is_shared_bottom()
    {
        var snr = (SnrModel)ModelFactory.Create(SnrShape);
        snr.ForceGatesOpen();
        // The same network as a Shared-Bottom: the level-0 blocks stacked are its first layer, the first
        // routing level its second, and task t's rows of the last routing level the first layer of its tower.
        var sb = ModelFactory.Create(new SharedBottomConfig
        {
            NumericInputs = 5, Tasks = CoreTestModels.Binary, BottomHidden = [12, 12], TowerHidden = [3, 2], Seed = 9,
        });
        var p = snr.Parameters().ToDictionary(x => x.Name, x => x.Tensor);
        var q = sb.Parameters().ToDictionary(x => x.Name, x => x.Tensor);
        for (int j = 0; j < 3; j++)
        {
            p[$"level0.{j}.0.weight"].Data.CopyTo(q["bottom.0.weight"].Data.Slice(j * 20, 20));
            p[$"level0.{j}.0.bias"].Data.CopyTo(q["bottom.0.bias"].Data.Slice(j * 4, 4));
        }
        p["routing.0.weight"].Data.CopyTo(q["bottom.1.weight"].Data);
        p["routing.0.bias"].Data.CopyTo(q["bottom.1.bias"].Data);
        foreach (var (t, task) in new[] { (0, "click"), (1, "buy") })
        {
            p["routing.1.weight"].Data.Slice(t * 36, 36).CopyTo(q[$"towers.{task}.0.weight"].Data);
            p["routing.1.bias"].Data.Slice(t * 3, 3).CopyTo(q[$"towers.{task}.0.bias"].Data);
            for (int layer = 0; layer < 2; layer++)
                foreach (string kind in new[] { "weight", "bias" })
                    p[$"towers.{task}.{layer}.{kind}"].Data.CopyTo(q[$"towers.{task}.{layer + 1}.{kind}"].Data);
        }
        var x = Input(7, 5, 11);
        foreach (bool training in new[] { true, false })
            AssertSameOutputs(Outputs(sb, x, training), Outputs(snr, x, training));
        Assert.Equal(Flops(sb), Flops(snr));
    }

    [Fact]
    public void With_only_the_diagonal_open_snr_trans_is_single_task()
    {
        var config = SnrShape with { Level0Blocks = 2, Routing = [new RoutingLevelConfig(2, 3)] };
        var snr = (SnrModel)ModelFactory.Create(config);
        snr.ForceGatesDiagonal();
        var single = ModelFactory.Create(new SingleTaskConfig { NumericInputs = 5, Tasks = CoreTestModels.Binary, Hidden = [4, 3], TowerHidden = [2], Seed = 5 });
        var p = snr.Parameters().ToDictionary(x => x.Name, x => x.Tensor);
        var q = single.Parameters().ToDictionary(x => x.Name, x => x.Tensor);
        foreach (var (t, task) in new[] { (0, "click"), (1, "buy") })
        {
            p[$"level0.{t}.0.weight"].Data.CopyTo(q[$"tasks.{task}.0.weight"].Data);
            p[$"level0.{t}.0.bias"].Data.CopyTo(q[$"tasks.{task}.0.bias"].Data);
            // Block (t, t) of the routing weight [2·3, 2·4]: rows 3t…3t+2, columns 4t…4t+3.
            for (int r = 0; r < 3; r++)
                p["routing.0.weight"].Data.Slice((t * 3 + r) * 8 + t * 4, 4).CopyTo(q[$"tasks.{task}.1.weight"].Data.Slice(r * 4, 4));
            p["routing.0.bias"].Data.Slice(t * 3, 3).CopyTo(q[$"tasks.{task}.1.bias"].Data);
            foreach (string name in new[] { "0.weight", "0.bias", "1.weight", "1.bias" })
                p[$"towers.{task}.{name}"].Data.CopyTo(q[$"towers.{task}.{name}"].Data);
        }
        var x = Input(6, 5, 12);
        AssertSameOutputs(Outputs(single, x, training: false), Outputs(snr, x, training: false));
        Assert.Equal(Flops(single), Flops(snr));
    }

    [Fact]
    public void Flops_count_only_connections_and_subnetworks_a_task_reaches()
    {
        var snr = (SnrModel)ModelFactory.Create(SnrShape);
        long towers = 2 * 2 * (3 * 2 + 2 * 1);
        snr.ForceGatesOpen();
        Assert.Equal(3 * 2 * 5 * 4 + 9 * 2 * 4 * 4 + 6 * 2 * 4 * 3 + towers, Flops(snr));
        // Last level reads only input block 0; routing.0's row 0 reads only level-0 block 1.
        snr.Levels[1].Gate.Force([1, 0, 0, 1, 0, 0]);
        snr.Levels[0].Gate.Force([0, 1, 0, 1, 1, 1, 1, 1, 1]);
        Assert.Equal(1 * 2 * 5 * 4 + 1 * 2 * 4 * 4 + 2 * 2 * 4 * 3 + towers, Flops(snr));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Skipping_unreachable_subnetworks_changes_no_output_and_no_gradient(bool aver)
    {
        SnrConfig config = aver
            ? SnrShape with { Variant = SnrVariant.Aver, Routing = [new RoutingLevelConfig(3, 0, 4), new RoutingLevelConfig(2, 0, 3)] }
            : SnrShape;
        var x = Input(6, 5, 16);
        (float[][] Outputs, float[][] Grads) Run(bool skip)
        {
            var snr = (SnrModel)ModelFactory.Create(config);
            snr.SkipUnreachable = skip;
            // The last level reads input block 0 only (sampled there); routing.0's row 0 reads level-0 block 1:
            // level-0 blocks 0 and 2 and routing.0's blocks 1 and 2 reach no task.
            snr.Levels[1].Gate.Force([float.NaN, 0, 0, float.NaN, 0, 0]);
            snr.Levels[0].Gate.Force([0, float.NaN, 0, float.NaN, 1, 1, 1, 1, 1]);
            Tape.Current.Reset();
            var outputs = snr.Forward(x, training: true);
            Ops.Add(Ops.Sum(outputs[0]), Ops.Sum(Ops.Scale(outputs[1], 2f))).Backward();
            var result = (outputs.ToArray().Select(o => o.Data.ToArray()).ToArray(),
                snr.Parameters().Select(p => p.Tensor.HasGrad ? p.Tensor.Grad.ToArray() : new float[p.Tensor.Size]).ToArray());
            Tape.Current.Reset();
            return result;
        }
        var full = Run(skip: false);
        var skipped = Run(skip: true);
        for (int t = 0; t < 2; t++) Assert.Equal(full.Outputs[t], skipped.Outputs[t]);
        for (int i = 0; i < full.Grads.Length; i++) Assert.Equal(full.Grads[i], skipped.Grads[i]);
    }

    [Fact]
    public void Gate_table_reports_log_alpha_serving_gate_and_probability()
    {
        var snr = (SnrModel)ModelFactory.Create(SnrShape with { InitialLogAlpha = 0.5f });
        var table = snr.GateTable();
        Assert.Equal(9 + 6, table.Count);
        var row = table.Single(r => r.Level == "routing.1" && r.Output == 1 && r.Input == 2);
        Assert.Equal(0.5f, row.LogAlpha);
        float sigmoid = 1f / (1f + MathF.Exp(-0.5f));
        Assert.Equal(sigmoid * 1.2f - 0.1f, row.ServingGate, 5);
        Assert.Equal(1f / (1f + MathF.Exp(-(0.5f - 2f / 3f * MathF.Log(0.1f / 1.1f)))), row.ProbabilityNonZero, 5);
        Assert.Equal(HardConcreteMath.ServingGate(0.5f, -0.1f, 1.1f), row.ServingGate);
        snr.Levels[0].Gate.ForceDiagonal();
        Assert.Equal(0f, snr.GateTable().Single(r => r.Level == "routing.0" && r.Output == 0 && r.Input == 1).ServingGate);
        Assert.Equal(6.0 / 15, snr.ZeroGateFraction(), 12);
    }

    [Fact]
    public void Training_gates_are_sampled_per_step_and_serving_gates_are_fixed()
    {
        var snr = (SnrModel)ModelFactory.Create(SnrShape);
        var x = Input(4, 5, 13);
        var gate = snr.Levels[0].Gate;
        float[] a = gate.Gates(training: true).Data.ToArray(), b = gate.Gates(training: true).Data.ToArray();
        Assert.NotEqual(a, b);
        Assert.Equal(2, gate.Step);
        Assert.Equal(gate.Gates(false).Data.ToArray(), gate.Gates(false).Data.ToArray());
        Tape.Current.Reset();
        snr.Initialize(3);   // resets the noise counter: the same samples again
        Assert.Equal(a, gate.Gates(training: true).Data.ToArray());
        Tape.Current.Reset();
    }

    [Fact]
    public void Forced_gates_pass_no_gradient_to_log_alpha()
    {
        var snr = (SnrModel)ModelFactory.Create(SnrShape);
        var gate = snr.Levels[0].Gate;
        gate.Force([1, float.NaN, 0, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, 0.5f]);
        var z = gate.Gates(training: true);
        Assert.Equal(1f, z.Data[0]);
        Assert.Equal(0f, z.Data[2]);
        Assert.Equal(0.5f, z.Data[8]);
        Ops.Sum(z).Backward();
        Assert.Equal(0f, gate.LogAlpha.Grad[0]);
        Assert.Equal(0f, gate.LogAlpha.Grad[8]);
        Tape.Current.Reset();
        Assert.Throws<ArgumentException>(() => gate.Force([2f, 0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.Throws<InvalidOperationException>(() => snr.Levels[1].Gate.ForceDiagonal());
    }

    [Fact]
    public void Mmoe_exposes_gate_weights_per_task()
    {
        var mmoe = (MmoeModel)ModelFactory.Create(CoreTestModels.Mmoe(5, CoreTestModels.Binary));
        var x = Input(9, 5, 14);
        var g = mmoe.GateWeights(x, 1);
        Assert.Equal(Shape.Matrix(9, 4), g.Shape);
        for (int r = 0; r < 9; r++) Assert.Equal(1f, g.Data.Slice(r * 4, 4).ToArray().Sum(), 5);
        var utilisation = mmoe.ExpertUtilisation(x);
        Assert.Equal(2, utilisation.Length);
        Assert.All(utilisation, u => Assert.Equal(1f, u.Sum(), 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => mmoe.GateWeights(x, 2));
    }

    [Theory]
    [MemberData(nameof(ConfigTests.AllKinds), MemberType = typeof(ConfigTests))]
    public void Every_model_gives_one_output_per_task_and_checks_its_input(ModelConfig config)
    {
        var model = ModelFactory.Create(config);
        var predictions = ModelForward.PerTask(model, Input(3, 5, 15).Data.ToArray());
        Assert.Equal(2, predictions.Length);
        Assert.All(predictions, p => Assert.Equal(3, p.Length));
        if (config.Tasks[0].Kind == TaskKind.Binary) Assert.All(predictions[0], v => Assert.InRange(v, 0f, 1f));
        Assert.True(Flops(model) > 0);
        Assert.Throws<ArgumentException>(() => model.Forward(Input(3, 4, 15), training: false));
    }

    // The tape forward pass in the given mode, per task (sigmoid on binary tasks).
    private static float[][] Outputs(MultiTaskModel model, Tensor x, bool training)
    {
        using var _ = Tape.NoGrad();
        var outputs = model.Forward(x, training);
        return [.. outputs.ToArray().Select((o, t) => model.Tasks[t].Kind == TaskKind.Binary ? o.Data.ToArray().Select(v => 1f / (1f + MathF.Exp(-v))).ToArray() : o.Data.ToArray())];
    }

    private static long Flops(MultiTaskModel model)
    {
        using var predictor = Predictor.Compile(model);
        return predictor.Summary.FlopsPerRow;
    }

    private static void AssertSameOutputs(float[][] expected, float[][] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int t = 0; t < expected.Length; t++)
            TensorAssert.Close(expected[t], actual[t], 1e-5, $"task {t}");
    }
}
