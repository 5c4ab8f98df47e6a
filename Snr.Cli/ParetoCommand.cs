using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Snr.Core.Models;
using Snr.Core.Routing;
using Spectre.Console;

namespace Snr.Cli;

/// <summary>One training run of a sweep.</summary>
internal sealed record SweepRun(string Data, double? Correlation, string Model, double Budget, ulong Seed, long ServingFlopsPerRow, int LiveConnections, long Parameters,
    IReadOnlyList<TaskResult> Tasks, double Seconds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(List<SweepRun>))]
internal sealed partial class SweepJsonContext : JsonSerializerContext;

/// <summary>
/// <c>snr pareto</c>: quality against serving cost. Trains each SNR kind at each budget (a fraction of
/// the dense SNR-Trans serving FLOPs) and each baseline narrowed to the same serving FLOPs, over several
/// seeds, then writes a table (mean ± sd per task), every run as CSV and JSON, and an SVG chart per task.
/// </summary>
internal static class ParetoCommand
{
    public static Command Create(CliConsole console)
    {
        var training = new TrainingOptions();
        var budgets = new Option<string>("--budgets") { Description = "serving-FLOPs budgets, fractions of the dense SNR-Trans model's", DefaultValueFactory = _ => "1,0.75,0.5,0.25" };
        var models = new Option<string>("--models") { Description = "SNR kinds trained at each budget", DefaultValueFactory = _ => "snr-trans,snr-aver" };
        var baselines = new Option<string>("--baselines") { Description = "baselines narrowed to each budget's FLOPs (empty: none)", DefaultValueFactory = _ => "shared-bottom,mmoe" };
        var seeds = SnrCli.PositiveInt("--seeds", 3, "number of seeds (each: its own split and initialisation, shared by all models)");
        var correlations = new Option<string?>("--correlations")
        {
            Description = "with --data synthetic: repeat at each task correlation (such as 1,0.9,0.5) and chart the metric against it, as the MMoE paper's figure",
        };
        var output = new Option<string>("--out") { Description = "folder for pareto.csv, pareto.json and the charts", DefaultValueFactory = _ => "pareto" };
        var command = new Command("pareto", "Train SNR at several serving-cost budgets and baselines narrowed to the same cost; table, CSV/JSON and SVG charts.")
            { budgets, models, baselines, seeds, correlations, output };
        training.AddTo(command, budgets: false);
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            double[] budgetList = ParseList(parse.GetValue(budgets)!, "--budgets").Select(b => double.Parse(b, CultureInfo.InvariantCulture)).ToArray();
            if (Array.Exists(budgetList, b => !(b > 0 && b <= 1))) throw new UserError("--budgets takes fractions in (0, 1], such as 1,0.5,0.25.");
            string[] snrKinds = ParseList(parse.GetValue(models)!, "--models"), baselineKinds = ParseList(parse.GetValue(baselines)!, "--baselines", allowEmpty: true);
            foreach (var k in snrKinds.Concat(baselineKinds))
                if (!DefaultModels.Kinds.Contains(k)) throw new UserError($"Unknown model '{k}'; choose among {string.Join(", ", DefaultModels.Kinds)}.");
            string folder = Directory.CreateDirectory(parse.GetValue(output)!).FullName;
            string dataName = training.Data(parse);
            double[]? correlationList = parse.GetValue(correlations) is { } text
                ? ParseList(text, "--correlations").Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray()
                : null;
            if (correlationList is not null && SyntheticSpec.TryParse(dataName, 0) is null) throw new UserError("--correlations applies to --data synthetic only.");
            var runs = new List<SweepRun>();
            int seedCount = parse.GetValue(seeds);
            foreach (double? correlation in correlationList?.Select(c => (double?)c) ?? [null])
            {
                string name = correlation is { } c ? SyntheticSpec.WithCorrelation(dataName, c) : dataName;
                for (ulong s = 1; s <= (ulong)seedCount; s++)
                {
                    var data = training.Load(parse, s, console, name);
                    var reference = ModelFactory.Create(DefaultModels.Create("snr-trans", data.Train.NumericCount, data.Encoder?.EmbeddingConfig(), data.Tasks, s));
                    double denseFlops = new RoutingCost((SnrModel)reference).Dense;
                    foreach (double budget in budgetList)
                    {
                        foreach (var kind in snrKinds)
                        {
                            var settings = training.Settings(parse, kind, s);
                            settings = settings with { Training = settings.Training with { TargetCost = budget < 1 ? BudgetOf(kind, budget, denseFlops, data, s) : null } };
                            runs.Add(Run(console, data, name, correlation, settings, budget, s));
                            SaveRuns(folder, runs);
                        }
                        foreach (var kind in baselineKinds)
                        {
                            var wide = DefaultModels.Create(kind, data.Train.NumericCount, data.Encoder?.EmbeddingConfig(), data.Tasks, s);
                            var settings = training.Settings(parse, kind, s) with { Config = ModelNarrowing.ToFlops(wide, budget * denseFlops) };
                            runs.Add(Run(console, data, name, correlation, settings, budget, s));
                            SaveRuns(folder, runs);
                        }
                    }
                }
            }
            Report(console, runs, dataName, seedCount, folder);
            return 0;
        }));
        return command;
    }

    // A budget is a fraction of the dense SNR-Trans FLOPs; another SNR kind gets the same absolute FLOPs as a fraction of its own
    // dense cost. A kind that cannot go that low without cutting a task off gets its smallest feasible budget instead.
    private static double BudgetOf(string kind, double budget, double referenceFlops, LoadedData data, ulong seed)
    {
        var cost = new RoutingCost((SnrModel)ModelFactory.Create(DefaultModels.Create(kind, data.Train.NumericCount, data.Encoder?.EmbeddingConfig(), data.Tasks, seed)));
        double fraction = Math.Min(1, budget * referenceFlops / cost.Dense);
        return Math.Max(fraction, Math.Ceiling(cost.MinimalFeasible / cost.Dense * 1000) / 1000);
    }

    private static SweepRun Run(CliConsole console, LoadedData data, string dataName, double? correlation, TrainSettings settings, double budget, ulong seed)
    {
        var trained = ModelTraining.Train(data, settings, console, showProgress: false);
        var summary = trained.Predictor.Summary;
        var run = new SweepRun(dataName, correlation, settings.Model, budget, seed, summary.FlopsPerRow, summary.LiveConnections, trained.Model.ParameterCount,
            [.. trained.Test.Select(m => new TaskResult(m.Task, ModelTraining.MetricName(m), ModelTraining.MetricValue(m)))], Math.Round(trained.Elapsed.TotalSeconds, 2));
        console.Line(ParetoChart.Invariant($"{dataName} seed {seed} budget {budget:0.###} {settings.Model,-13} FLOPs/row {summary.FlopsPerRow,9:N0}  live {summary.LiveConnections,2}  {string.Join("  ", run.Tasks.Select(t => $"{t.Name} {t.Metric} {ModelTraining.Format(t.Value)}"))}  {trained.Elapsed.TotalSeconds:F1}s"));
        return run;
    }

    private static void Report(CliConsole console, List<SweepRun> runs, string data, int seeds, string folder)
    {
        var taskNames = runs[0].Tasks.Select(t => t.Name).ToArray();
        var metrics = runs[0].Tasks.Select(t => t.Metric).ToArray();
        bool byCorrelation = runs[0].Correlation is not null;
        var table = new Table().Title($"{data}: test metrics over {seeds} seed(s), mean ± sd, by serving-cost budget").AddColumn(byCorrelation ? "correlation" : "data")
            .AddColumn("model").AddColumn("budget").AddColumn(new TableColumn("serving FLOPs/row").RightAligned()).AddColumn(new TableColumn("live").RightAligned());
        for (int t = 0; t < taskNames.Length; t++) table.AddColumn(new TableColumn($"{taskNames[t]} {metrics[t]}").RightAligned());
        var charts = taskNames.ToDictionary(n => n, _ => new List<ChartPoint>());
        bool severalBudgets = runs.Select(r => r.Budget).Distinct().Count() > 1;
        foreach (var group in runs.GroupBy(r => (r.Data, r.Correlation, r.Model, r.Budget)))
        {
            double flops = group.Average(r => r.ServingFlopsPerRow);
            var cells = new List<string> { group.Key.Correlation?.ToString("0.###", CultureInfo.InvariantCulture) ?? group.Key.Data, group.Key.Model,
                group.Key.Budget.ToString("0.###", CultureInfo.InvariantCulture), flops.ToString("N0", CultureInfo.InvariantCulture),
                group.Average(r => r.LiveConnections).ToString("0.#", CultureInfo.InvariantCulture) };
            for (int t = 0; t < taskNames.Length; t++)
            {
                var values = group.Select(r => r.Tasks[t].Value).Where(v => v is not null).Select(v => v!.Value).ToArray();
                var (mean, sd) = MeanSd(values);
                cells.Add(ParetoChart.Invariant($"{mean:F4} ± {sd:F4}"));
                string series = byCorrelation && severalBudgets ? ParetoChart.Invariant($"{group.Key.Model} @ {group.Key.Budget:0.##}") : group.Key.Model;
                charts[taskNames[t]].Add(new ChartPoint(series, byCorrelation ? group.Key.Correlation!.Value : flops, mean, sd));
            }
            table.AddRow(cells.ToArray());
        }
        console.Rich.Write(table);

        var csv = new StringBuilder("data,correlation,model,budget,seed,serving_flops_per_row,live_connections,parameters,seconds,"
            + string.Join(",", taskNames.Select((n, t) => $"{n}_{metrics[t]}")) + "\n");
        foreach (var r in runs)
            csv.Append(ParetoChart.Invariant($"{r.Data},{r.Correlation},{r.Model},{r.Budget},{r.Seed},{r.ServingFlopsPerRow},{r.LiveConnections},{r.Parameters},{r.Seconds},"))
               .Append(string.Join(",", r.Tasks.Select(t => t.Value?.ToString("R", CultureInfo.InvariantCulture) ?? ""))).Append('\n');
        Snr.Core.Checkpoints.AtomicFile.WriteAllText(Path.Combine(folder, "pareto.csv"), csv.ToString());
        SaveRuns(folder, runs);
        var svgs = ParetoChart.Write(Path.Combine(folder, "pareto"), data, byCorrelation ? "task correlation" : "serving FLOPs per row",
            charts.ToDictionary(c => c.Key, c => (metrics[Array.IndexOf(taskNames, c.Key)], (IReadOnlyList<ChartPoint>)c.Value)));
        console.Line($"Wrote {Path.Combine(folder, "pareto.csv")}, pareto.json and {string.Join(", ", svgs.Select(Path.GetFileName))}");
    }

    // Every run so far, rewritten after each one so that an interrupted sweep keeps what it measured.
    private static void SaveRuns(string folder, List<SweepRun> runs) =>
        Snr.Core.Checkpoints.AtomicFile.WriteAllText(Path.Combine(folder, "pareto.json"), JsonSerializer.Serialize(runs, SweepJsonContext.Default.ListSweepRun));

    internal static (double Mean, double Sd) MeanSd(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return (double.NaN, double.NaN);
        double mean = values.Average();
        double sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return (mean, sd);
    }

    internal static string[] ParseList(string value, string option, bool allowEmpty = false)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length == 0 && !allowEmpty) throw new UserError($"{option} needs at least one value.");
        return items;
    }
}
