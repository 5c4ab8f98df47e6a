using System.Text.Json;
using Snr.Core.Serialization;
using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.Cli;

/// <summary>Configuration files, budgets on the command line and the pareto sweep.</summary>
public sealed class RoutingCliTests() : TempFolderTests("snr-routing-cli-")
{
    [Fact]
    public void A_written_config_round_trips_and_flags_override_it()
    {
        var (code, output, error) = Run("config", "--kind", "snr-aver", "--data", "synthetic:rows=600", "--epochs", "2", "--target-cost", "0.6");
        Assert.True(code == 0, error);
        var run = RunConfig.Deserialize(output);
        Assert.Equal(RunConfig.Serialize(run), output.TrimEnd());
        Assert.Equal(2, run.Training.Epochs);
        Assert.Equal(0.6, run.Training.TargetCost);
        var snr = Assert.IsType<Snr.Core.Models.SnrConfig>(run.Model);
        Assert.Equal(Snr.Core.Models.SnrVariant.Aver, snr.Variant);
        Assert.True(snr.Routing.Length >= 2 && snr.Level0Blocks >= 4 && snr.Routing[0].Blocks >= 4);

        File.WriteAllText(PathOf("run.json"), output);
        (code, output, error) = Run("train", "--config", PathOf("run.json"), "--data", "synthetic:rows=600", "--epochs", "1", "--out", PathOf("m"), "--json");
        Assert.True(code == 0, error);
        Assert.Contains("(1 epochs", output);                     // the flag overrode the file's 2 epochs
        Assert.Contains("target cost 0.6", output);
        var json = JsonDocument.Parse(output.TrimEnd().Split('\n')[^1]).RootElement;
        Assert.Equal("snr-aver", json.GetProperty("model").GetString());   // the file's model kind
        var epoch = json.GetProperty("epochs")[0];
        Assert.True(epoch.GetProperty("expected_cost").GetDouble() is > 0 and <= 1);
        Assert.True(epoch.GetProperty("serving_flops_per_row").GetInt64() > 0);
        Assert.True(epoch.GetProperty("live_connections").GetInt32() > 0);
    }

    [Theory]
    [InlineData("{\"training\": {\"epochs\": 0}}", "epochs")]
    [InlineData("{\"training\": {\"epochz\": 3}}", "epochz")]
    [InlineData("{\"training\": {\"target_cost\": 2}}", "target_cost")]
    [InlineData("{\"model\": {\"kind\": \"snr\", \"level0_blocks\": 0, \"level0_hidden\": [8], \"routing\": [{\"blocks\": 2, \"width\": 8}]}}", "model.level0_blocks")]
    [InlineData("{\"model\": {\"kind\": \"mmoe\", \"numeric_inputs\": 7, \"experts\": 2, \"expert_hidden\": [8]}}", "model.numeric_inputs")]
    public void A_bad_config_field_is_named(string json, string field)
    {
        File.WriteAllText(PathOf("bad.json"), json);
        var (code, _, error) = Run("train", "--config", PathOf("bad.json"), "--data", "synthetic:rows=300", "--out", PathOf("bad"));
        AssertUserError(code, error, field);
    }

    [Fact]
    public void An_infeasible_budget_is_refused_on_the_command_line()
    {
        var (code, _, error) = Run("train", "--data", "synthetic:rows=300", "--target-cost", "0.01", "--out", PathOf("x"));
        AssertUserError(code, error, "smallest feasible budget");
    }

    [Fact]
    public void Pareto_writes_a_table_every_run_and_a_chart_per_task()
    {
        var (code, output, error) = Run("pareto", "--data", "synthetic:corr=0.9,rows=800", "--budgets", "1,0.5", "--models", "snr-trans", "--baselines", "shared-bottom",
            "--seeds", "1", "--epochs", "1", "--out", PathOf("p"));
        Assert.True(code == 0, error);
        Assert.Contains("mean ± sd", output);
        var lines = File.ReadAllLines(PathOf("p/pareto.csv"));
        Assert.Equal(1 + 2 * 2, lines.Length);
        Assert.StartsWith("data,correlation,model,budget,seed,serving_flops_per_row", lines[0]);
        var runs = JsonDocument.Parse(File.ReadAllText(PathOf("p/pareto.json"))).RootElement;
        Assert.Equal(4, runs.GetArrayLength());
        foreach (var task in new[] { "task1", "task2" })
            Assert.Contains("<svg", File.ReadAllText(PathOf($"p/pareto-{task}.svg")));
        // The narrowed baseline at budget 0.5 serves about half the dense SNR-Trans FLOPs; SNR within ±10 % of its budget.
        var half = runs.EnumerateArray().Where(r => r.GetProperty("budget").GetDouble() == 0.5).ToDictionary(r => r.GetProperty("model").GetString()!, r => r.GetProperty("serving_flops_per_row").GetInt64());
        var dense = runs.EnumerateArray().Single(r => r.GetProperty("budget").GetDouble() == 1 && r.GetProperty("model").GetString() == "snr-trans").GetProperty("serving_flops_per_row").GetInt64();
        Assert.InRange(half["snr-trans"], 0.45 * dense, 0.55 * dense);
        Assert.InRange(half["shared-bottom"], 0.4 * dense, 0.6 * dense);
    }

    [Fact]
    public void Pareto_over_correlations_charts_the_metric_against_the_correlation()
    {
        var (code, output, error) = Run("pareto", "--data", "synthetic:rows=600", "--correlations", "1,0.5", "--budgets", "1", "--models", "snr-trans",
            "--baselines", "mmoe", "--seeds", "1", "--epochs", "1", "--out", PathOf("c"));
        Assert.True(code == 0, error);
        var runs = JsonDocument.Parse(File.ReadAllText(PathOf("c/pareto.json"))).RootElement.EnumerateArray().ToArray();
        Assert.Equal([1.0, 1.0, 0.5, 0.5], runs.Select(r => r.GetProperty("correlation").GetDouble()));
        Assert.Equal("synthetic:corr=0.5,rows=600", runs[^1].GetProperty("data").GetString());
        Assert.Contains("task correlation", File.ReadAllText(PathOf("c/pareto-task1.svg")));
        Assert.Contains("validation loss", File.ReadAllText(PathOf("c/curves-corr-0.5.svg")));   // the loss against epochs per correlation, as the MMoE paper's figure 4
        // --from writes the same report again from the saved runs, training nothing
        (code, output, error) = Run("pareto", "--from", PathOf("c/pareto.json"), "--out", PathOf("again"));
        Assert.True(code == 0, error);
        Assert.Contains("synthetic:rows=600: test metrics", output);
        Assert.Equal(File.ReadAllText(PathOf("c/pareto.csv")), File.ReadAllText(PathOf("again/pareto.csv")));
        Assert.True(File.Exists(PathOf("again/curves-corr-1.0.svg")));
        (code, _, error) = Run("pareto", "--data", "census", "--correlations", "1", "--out", PathOf("d"));
        AssertUserError(code, error, "--correlations applies to --data synthetic only");
    }

    [Fact]
    public void Pareto_chooses_the_learning_rate_on_validation_and_trains_the_configured_models()
    {
        File.WriteAllText(PathOf("mmoe.json"), "{\"model\": {\"kind\": \"mmoe\", \"experts\": 2, \"expert_hidden\": [4], \"tower_hidden\": [3]}}");
        var (code, output, error) = Run("pareto", "--data", "synthetic:corr=0.5,rows=800", "--budgets", "1", "--models", "snr-trans", "--baselines", "mmoe",
            "--no-narrowing", "--model-config", PathOf("mmoe.json"), "--lrs", "0.0001,0.01", "--gate-lrs", "0.03", "--seeds", "2", "--epochs", "2", "--out", PathOf("lr"));
        Assert.True(code == 0, error);
        var runs = JsonDocument.Parse(File.ReadAllText(PathOf("lr/pareto.json"))).RootElement.EnumerateArray().ToArray();
        Assert.Equal(4, runs.Length);   // the first seed's rejected rates are not results
        foreach (var model in new[] { "snr-trans", "mmoe" })
        {
            // The choice is the rate of least validation loss among those tried on the first seed, and later seeds use it.
            var line = output.Split('\n').Single(l => l.StartsWith($"{model} at budget 1: chose lr", StringComparison.Ordinal));
            var tried = System.Text.RegularExpressions.Regex.Matches(line, @"(0\.0+1)(?:/0\.03)?: ([0-9.]+)").ToDictionary(m => float.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m => double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(2, tried.Count);
            var mine = runs.Where(r => r.GetProperty("model").GetString() == model).ToArray();
            float chosen = mine[0].GetProperty("learning_rate").GetSingle();
            Assert.Equal(tried.MinBy(t => t.Value).Key, chosen);
            Assert.Equal(chosen, mine[1].GetProperty("learning_rate").GetSingle());
            Assert.True(mine.All(r => r.GetProperty("validation_loss").GetDouble() > 0 && r.GetProperty("validation_curve").GetArrayLength() == 2));
        }
        // The MMoE of the file, not narrowed to the SNR-Trans FLOPs.
        var fileModel = Snr.Core.Models.ModelFactory.Create(new Snr.Core.Models.MmoeConfig
        {
            NumericInputs = 100, Tasks = Snr.Tests.Core.CoreTestModels.Regression, Experts = 2, ExpertHidden = [4], TowerHidden = [3],
        });
        Assert.All(runs.Where(r => r.GetProperty("model").GetString() == "mmoe"), r => Assert.Equal(fileModel.ParameterCount, r.GetProperty("parameters").GetInt64()));
        Assert.Contains("lr,gate_lr,epochs,kept_epoch,validation_loss", File.ReadAllLines(PathOf("lr/pareto.csv"))[0]);
        // Paired differences: SNR-Trans minus MMoE on each seed, averaged; the CSV's mean is the mean of the per-seed differences.
        var paired = File.ReadAllLines(PathOf("lr/paired.csv"));
        Assert.Equal(2, paired.Length);
        Assert.StartsWith("\"synthetic:corr=0.5,rows=800\",", paired[1]);   // the data name's commas are quoted
        var cells = paired[1]["\"synthetic:corr=0.5,rows=800\",".Length..].Split(',');   // correlation, budget, model, reference, seeds, Δ task1 mean, …
        Assert.Equal(["snr-trans", "mmoe", "2"], cells[2..5]);
        double Rmse(string model, int seed) => runs.Single(r => r.GetProperty("model").GetString() == model && r.GetProperty("seed").GetInt32() == seed)
            .GetProperty("tasks")[0].GetProperty("value").GetDouble();
        double expected = (Rmse("snr-trans", 1) - Rmse("mmoe", 1) + Rmse("snr-trans", 2) - Rmse("mmoe", 2)) / 2;
        Assert.Equal(expected, double.Parse(cells[5], System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Theory]
    [InlineData("synthetic:corr=2", "correlation")]
    [InlineData("synthetic:rows=abc", "row count")]
    [InlineData("synthetic:foo=1", "unknown setting")]
    public void A_bad_synthetic_spec_is_named(string data, string expected)
    {
        var (code, _, error) = Run("train", "--data", data, "--out", PathOf("x"));
        AssertUserError(code, error, expected);
    }
}
