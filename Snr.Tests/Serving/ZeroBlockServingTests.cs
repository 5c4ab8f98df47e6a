namespace Snr.Tests.Serving;

/// <summary>
/// A block whose gates are all exactly 0 is not nothing: in the model's forward an SNR-Trans output block with no
/// live input is relu(b_i), and an SNR-Aver one is 0 followed by its sub-network. The compiled predictor must
/// give what the model gives, with whole gate rows (an output block cut off) and columns (an input block
/// nobody reads) at zero, on one and two routing levels of both variants.
/// </summary>
public sealed class ZeroBlockServingTests
{
    private const int D = 7, Rows = 9;
    private static readonly TaskConfig[] Tasks = [new("click", TaskKind.Binary), new("spend", TaskKind.Regression)];

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string variant in new[] { "trans", "aver" })
            foreach (int levels in new[] { 1, 2 })
                data.Add(variant, levels);
        return data;
    }

    private static SnrModel Make(string variant, int levels)
    {
        bool trans = variant == "trans";
        RoutingLevelConfig Level(int blocks) => trans ? new RoutingLevelConfig(blocks, 6) : new RoutingLevelConfig(blocks, 0, 5);
        var config = new SnrConfig
        {
            NumericInputs = D, Tasks = Tasks, Variant = trans ? SnrVariant.Trans : SnrVariant.Aver, Level0Blocks = 3, Level0Hidden = [5],
            Routing = levels == 1 ? [Level(2)] : [Level(3), Level(2)], TowerHidden = [4], Seed = 11, InitialLogAlpha = 1f,
        };
        return (SnrModel)ModelFactory.Create(config);
    }

    [Theory, MemberData(nameof(Cases))]
    public void A_whole_gate_row_at_zero_serves_what_the_model_computes(string variant, int levels)
    {
        var model = Make(variant, levels);
        var last = model.Levels[^1];
        var z = Learned(last.Gate.Outputs * last.Gate.Inputs);
        z.AsSpan(0, last.Gate.Inputs).Clear();                     // output block 0 (task "click") reads nothing
        last.Gate.Force(z);
        if (levels == 2)
        {
            var first = model.Levels[0];
            var z0 = Learned(first.Gate.Outputs * first.Gate.Inputs);
            z0.AsSpan(first.Gate.Inputs, first.Gate.Inputs).Clear(); // block 1 of the first level reads nothing, but is read
            first.Gate.Force(z0);
        }
        AssertServesTheModel(model);
    }

    [Theory, MemberData(nameof(Cases))]
    public void A_whole_gate_column_at_zero_serves_what_the_model_computes(string variant, int levels)
    {
        var model = Make(variant, levels);
        foreach (var level in model.Levels)
        {
            var z = Learned(level.Gate.Outputs * level.Gate.Inputs);
            for (int i = 0; i < level.Gate.Outputs; i++) z[i * level.Gate.Inputs] = 0f; // input block 0 read by nobody
            level.Gate.Force(z);
        }
        AssertServesTheModel(model);
    }

    [Fact]
    public void Every_gate_into_a_task_at_zero_gives_the_constant_the_model_gives()
    {
        var model = Make("trans", 1);
        var level = model.Levels[0];
        var z = Learned(level.Gate.Outputs * level.Gate.Inputs);
        z.AsSpan(0, level.Gate.Inputs).Clear();
        level.Gate.Force(z);
        var scores = AssertServesTheModel(model);
        // The click score is relu(b_0) through the tower: one constant for every row.
        Assert.All(Enumerable.Range(0, Rows), r => Assert.Equal(scores[0], scores[r * 2]));
    }

    private static float[] Learned(int count)
    {
        var z = new float[count];
        Array.Fill(z, float.NaN); // NaN: the learned serving value (log_alpha = 1)
        return z;
    }

    private static float[] AssertServesTheModel(SnrModel model)
    {
        var x = TestData.Normal(Rows * D, 5);
        var expected = ModelForward.Scores(model, x);
        using var predictor = Predictor.Compile(model);
        var outputs = new float[Rows * 2];
        predictor.Predict(x, outputs);
        TensorAssert.Close(expected, outputs, 1e-5, "served vs model");
        // Twice, so that a buffer the first call left behind cannot stand in for a block the second call skips.
        var again = new float[Rows * 2];
        predictor.Predict(x, again);
        Assert.Equal(outputs, again);
        return outputs;
    }
}
