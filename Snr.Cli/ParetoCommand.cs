using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Snr.Core.Routing;
using Snr.Core.Serialization;
using Spectre.Console;

namespace Snr.Cli;

/// <summary>One training run of a sweep.</summary>
/// <param name="LearningRate">The weights' learning rate (chosen on validation when --lrs gives several).</param>
/// <param name="GateLearningRate">The gates' learning rate (SNR kinds; chosen on validation when --gate-lrs gives several).</param>
/// <param name="Epochs">Epochs run; <paramref name="KeptEpoch"/> is the one whose weights were kept (early stopping's best, or the last).</param>
/// <param name="ValidationLoss">Mean over tasks of the served model's validation loss (MSE or log loss): what a choice among learning rates compares.</param>
/// <param name="ValidationCurve">After each epoch, the mean over tasks of the validation loss.</param>
internal sealed record SweepRun(string Data, double? Correlation, string Model, double Budget, ulong Seed, long ServingFlopsPerRow, int LiveConnections, long Parameters,
    IReadOnlyList<TaskResult> Tasks, double Seconds, float LearningRate = 0, float? GateLearningRate = null, int Epochs = 0, int KeptEpoch = 0,
    double ValidationLoss = double.NaN, IReadOnlyList<double>? ValidationCurve = null);

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
        var modelConfigs = new Option<string[]>("--model-config")
        {
            Description = "a JSON file as snr config writes it whose model replaces the default of its kind (the reference SNR-Trans too); repeat per kind",
        };
        var noNarrowing = new Option<bool>("--no-narrowing") { Description = "train the baselines as configured at every budget instead of narrowing them to the budget's serving FLOPs" };
        var learningRates = new Option<string?>("--lrs") { Description = "learning rates to choose among, per model, correlation and budget, by the validation loss of the first seed (such as 0.001,0.003,0.01)" };
        var gateLearningRates = new Option<string?>("--gate-lrs") { Description = "gate learning rates of SNR kinds to choose among, with --lrs, by the validation loss of the first seed" };
        var command = new Command("pareto", "Train SNR at several serving-cost budgets and baselines narrowed to the same cost; table, CSV/JSON and SVG charts.")
            { budgets, models, baselines, seeds, correlations, output, modelConfigs, noNarrowing, learningRates, gateLearningRates };
        var from = new Option<string?>("--from") { Description = "train nothing: write the tables, CSV files and charts of the runs in this pareto.json (of an earlier or interrupted sweep) into --out" };
        command.Options.Add(from);
        training.AddTo(command, budgets: false);
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            if (parse.GetValue(from) is { } earlier)
            {
                var saved = ReadRuns(earlier);
                Report(console, saved, saved[0].Correlation is null ? saved[0].Data : SyntheticSpec.WithoutCorrelation(saved[0].Data), saved.Select(r => r.Seed).Distinct().Count(),
                    Directory.CreateDirectory(parse.GetValue(output)!).FullName);
                return 0;
            }
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
            var configured = (parse.GetValue(modelConfigs) ?? []).Select(ReadModel).ToDictionary(m => m.KindName);
            foreach (var k in configured.Keys)
                if (!snrKinds.Contains(k) && !baselineKinds.Contains(k) && k != "snr-trans") throw new UserError($"--model-config gives a {k} model, which this sweep does not train.");
            bool narrow = !parse.GetValue(noNarrowing);
            var rateChoice = new RateChoice(RateChoice.Parse(parse.GetValue(learningRates), "--lrs"), RateChoice.Parse(parse.GetValue(gateLearningRates), "--gate-lrs"));
            var runs = new List<SweepRun>();
            int seedCount = parse.GetValue(seeds);
            foreach (double? correlation in correlationList?.Select(c => (double?)c) ?? [null])
            {
                string name = correlation is { } c ? SyntheticSpec.WithCorrelation(dataName, c) : dataName;
                for (ulong s = 1; s <= (ulong)seedCount; s++)
                {
                    var data = training.Load(parse, s, console, name);
                    ModelConfig ConfigOf(string kind) => configured.TryGetValue(kind, out var given)
                        ? ModelBinding.Bind(given, data, s)
                        : DefaultModels.Create(kind, data.Train.NumericCount, data.Encoder?.EmbeddingConfig(), data.Tasks, s);
                    double denseFlops = new RoutingCost((SnrModel)ModelFactory.Create(ConfigOf("snr-trans"))).Dense;
                    foreach (double budget in budgetList)
                    {
                        foreach (var kind in snrKinds.Concat(baselineKinds))
                        {
                            bool isSnr = snrKinds.Contains(kind);
                            var settings = training.Settings(parse, kind, s);
                            settings = isSnr
                                ? settings with
                                {
                                    Config = ConfigOf(kind),
                                    Training = settings.Training with { TargetCost = budget < 1 ? BudgetOf(ConfigOf(kind), budget, denseFlops) : null },
                                }
                                : settings with { Config = narrow ? ModelNarrowing.ToFlops(ConfigOf(kind), budget * denseFlops) : ConfigOf(kind) };
                            runs.Add(rateChoice.Run((correlation, kind, budget), settings, isSnr, st => Run(console, data, name, correlation, st, budget, s), console.Line));
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
    private static double BudgetOf(ModelConfig config, double budget, double referenceFlops)
    {
        var cost = new RoutingCost((SnrModel)ModelFactory.Create(config));
        double fraction = Math.Min(1, budget * referenceFlops / cost.Dense);
        return Math.Max(fraction, Math.Ceiling(cost.MinimalFeasible / cost.Dense * 1000) / 1000);
    }

    private static SweepRun Run(CliConsole console, LoadedData data, string dataName, double? correlation, TrainSettings settings, double budget, ulong seed)
    {
        var trained = ModelTraining.Train(data, settings, console, showProgress: false);
        if (trained.Interrupted) throw new OperationCanceledException(console.Interrupt);
        var summary = trained.Predictor.Summary;
        bool isSnr = trained.Model is SnrModel;
        var history = trained.History!;
        var run = new SweepRun(dataName, correlation, settings.Model, budget, seed, summary.FlopsPerRow, summary.LiveConnections, trained.Model.ParameterCount,
            [.. trained.Test.Select(ModelTraining.Headline)], Math.Round(trained.Elapsed.TotalSeconds, 2),
            settings.LearningRate, isSnr ? settings.Training.GateLearningRate : null, history.Epochs.Count, history.BestEpoch,
            Evaluator.Evaluate(trained.Predictor, trained.Model.Tasks, data.ValidationRows).Average(m => m.Loss),
            [.. history.Epochs.Select(e => e.Validation.Count > 0 ? e.Validation.Average(m => m.Loss) : double.NaN)]);
        console.Line(ParetoChart.Invariant($"{dataName} seed {seed} budget {budget:0.###} {settings.Model,-13} lr {run.LearningRate:G3}{(isSnr ? $" gate lr {run.GateLearningRate:G3}" : "")}  FLOPs/row {summary.FlopsPerRow,9:N0}  live {summary.LiveConnections,2}  epoch {run.KeptEpoch}/{run.Epochs}  validation loss {run.ValidationLoss:F5}  {string.Join("  ", run.Tasks.Select(t => $"{t.Name} {t.Metric} {ModelTraining.Format(t.Value)}"))}  {trained.Elapsed.TotalSeconds:F1}s"));
        return run;
    }

    // The model of a --model-config file (a run configuration as snr config writes it).
    private static ModelConfig ReadModel(string path) =>
        RoutingOptions.Read(path).Model ?? throw new UserError($"{path} has no \"model\"; write one with snr config --kind KIND.");

    private static void Report(CliConsole console, List<SweepRun> runs, string data, int seeds, string folder)
    {
        var taskNames = runs[0].Tasks.Select(t => t.Name).ToArray();
        var metrics = runs[0].Tasks.Select(t => t.Metric).ToArray();
        bool byCorrelation = runs[0].Correlation is not null;
        var table = new Table().Title($"{data}: test metrics over {seeds} seed(s), mean ± sd, by serving-cost budget").AddColumn(byCorrelation ? "correlation" : "data")
            .AddColumn("model").AddColumn("budget").AddColumn(new TableColumn("serving FLOPs/row").RightAligned()).AddColumn(new TableColumn("live").RightAligned())
            .AddColumn(new TableColumn("lr (gate lr)").RightAligned()).AddColumn(new TableColumn("epochs kept").RightAligned());
        for (int t = 0; t < taskNames.Length; t++) table.AddColumn(new TableColumn($"{taskNames[t]} {metrics[t]}").RightAligned());
        var charts = taskNames.ToDictionary(n => n, _ => new List<ChartPoint>());
        var curves = new Dictionary<string, List<ChartPoint>>();
        bool severalBudgets = runs.Select(r => r.Budget).Distinct().Count() > 1;
        foreach (var group in runs.GroupBy(r => (r.Data, r.Correlation, r.Model, r.Budget)))
        {
            double flops = group.Average(r => r.ServingFlopsPerRow);
            var first = group.First();
            var cells = new List<string> { group.Key.Correlation?.ToString("0.###", CultureInfo.InvariantCulture) ?? group.Key.Data, group.Key.Model,
                group.Key.Budget.ToString("0.###", CultureInfo.InvariantCulture), flops.ToString("N0", CultureInfo.InvariantCulture),
                group.Average(r => r.LiveConnections).ToString("0.#", CultureInfo.InvariantCulture),
                ParetoChart.Invariant($"{first.LearningRate:G3}{(first.GateLearningRate is { } g ? $" ({g:G3})" : "")}"),
                string.Join(" ", group.Select(r => r.KeptEpoch)) };
            string series = byCorrelation && severalBudgets ? ParetoChart.Invariant($"{group.Key.Model} @ {group.Key.Budget:0.##}") : group.Key.Model;
            for (int t = 0; t < taskNames.Length; t++)
            {
                var values = group.Select(r => r.Tasks[t].Value).Where(v => v is not null).Select(v => v!.Value).ToArray();
                var (mean, sd) = MeanSd(values);
                cells.Add(ParetoChart.Invariant($"{mean:F4} ± {sd:F4}"));
                charts[taskNames[t]].Add(new ChartPoint(series, byCorrelation ? group.Key.Correlation!.Value : flops, mean, sd));
            }
            if (byCorrelation)
            {
                // The MMoE paper's figure 4: per correlation, the loss against training time, one line per model (here: validation loss per epoch, over seeds).
                var curve = curves.TryGetValue(CurveKey(group.Key.Correlation!.Value), out var c) ? c : curves[CurveKey(group.Key.Correlation!.Value)] = [];
                int longest = group.Max(r => r.ValidationCurve?.Count ?? 0);
                for (int e = 0; e < longest; e++)
                {
                    var values = group.Where(r => r.ValidationCurve is { } v && v.Count > e).Select(r => r.ValidationCurve![e]).ToArray();
                    var (mean, sd) = MeanSd(values);
                    curve.Add(new ChartPoint(series, e + 1, mean, sd));
                }
            }
            table.AddRow(cells.ToArray());
        }
        console.Rich.Write(table);
        string gaps = WritePairedDifferences(console, runs, taskNames, metrics, folder);

        var csv = new StringBuilder("data,correlation,model,budget,seed,serving_flops_per_row,live_connections,parameters,seconds,lr,gate_lr,epochs,kept_epoch,validation_loss,"
            + string.Join(",", taskNames.Select((n, t) => $"{n}_{metrics[t]}")) + "\n");
        foreach (var r in runs)
            csv.Append(ParetoChart.Invariant($"{CsvField.Of(r.Data)},{r.Correlation},{r.Model},{r.Budget},{r.Seed},{r.ServingFlopsPerRow},{r.LiveConnections},{r.Parameters},{r.Seconds},"))
               .Append(ParetoChart.Invariant($"{r.LearningRate:R},{r.GateLearningRate:R},{r.Epochs},{r.KeptEpoch},{r.ValidationLoss:R},"))
               .Append(string.Join(",", r.Tasks.Select(t => t.Value?.ToString("R", CultureInfo.InvariantCulture) ?? ""))).Append('\n');
        Snr.Core.Checkpoints.AtomicFile.WriteAllText(Path.Combine(folder, "pareto.csv"), csv.ToString());
        SaveRuns(folder, runs);
        var svgs = ParetoChart.Write(Path.Combine(folder, "pareto"), data, byCorrelation ? "task correlation" : "serving FLOPs per row",
            charts.ToDictionary(c => c.Key, c => (ParetoChart.Invariant($"{c.Key} {metrics[Array.IndexOf(taskNames, c.Key)]} (test, mean ± sd)"), (IReadOnlyList<ChartPoint>)c.Value)));
        if (curves.Count > 0)
            svgs = [.. svgs, .. ParetoChart.Write(Path.Combine(folder, "curves"), data, "epoch",
                curves.ToDictionary(c => c.Key, c => ("validation loss, mean over tasks (mean ± sd over seeds, log scale)", (IReadOnlyList<ChartPoint>)c.Value)), logY: true)];
        console.Line($"Wrote {Path.Combine(folder, "pareto.csv")}, pareto.json, {gaps}and {string.Join(", ", svgs.Select(Path.GetFileName))}");
    }

    // Each model's metric minus a baseline's on the same seed (same data, split and test rows), mean ± sd over seeds: the spread
    // of a paired difference leaves out what the seeds' test sets share, so it says whether a gap is larger than the seeds' noise.
    // Returns the file name written ("" when there is no baseline to compare with).
    private static string WritePairedDifferences(CliConsole console, List<SweepRun> runs, string[] taskNames, string[] metrics, string folder)
    {
        string[] references = [.. new[] { "shared-bottom", "mmoe" }.Where(r => runs.Any(x => x.Model == r))];
        if (references.Length == 0 || runs.Select(r => r.Model).Distinct().Count() < 2) return "";
        var table = new Table().Title("paired differences over seeds (model − reference on the same seed), mean ± sd").AddColumn("correlation / data").AddColumn("budget")
            .AddColumn("model").AddColumn("reference");
        foreach (var (name, t) in taskNames.Select((n, t) => (n, t))) table.AddColumn(new TableColumn($"Δ {name} {metrics[t]}").RightAligned());
        table.AddColumn(new TableColumn("Δ mean of tasks").RightAligned());
        var csv = new StringBuilder("data,correlation,budget,model,reference,seeds," + string.Join(",", taskNames.Select(n => $"delta_{n}_mean,delta_{n}_sd")) + ",delta_tasks_mean,delta_tasks_sd\n");
        foreach (var group in runs.GroupBy(r => (r.Data, r.Correlation, r.Budget)))
            foreach (string reference in references)
            {
                var baseline = group.Where(r => r.Model == reference).ToDictionary(r => r.Seed);
                foreach (var model in group.Select(r => r.Model).Distinct().Where(m => m != reference))
                {
                    var pairs = group.Where(r => r.Model == model && baseline.ContainsKey(r.Seed)).Select(r => (Run: r, Reference: baseline[r.Seed])).ToArray();
                    if (pairs.Length == 0) continue;
                    double?[] Differences(Func<SweepRun, double?> value) => [.. pairs.Select(p => value(p.Run) - value(p.Reference))];
                    var perTask = taskNames.Select((_, t) => MeanSd(Differences(r => r.Tasks[t].Value).OfType<double>().ToArray())).ToList();
                    perTask.Add(MeanSd(Differences(r => r.Tasks.All(x => x.Value is not null) ? r.Tasks.Average(x => x.Value!.Value) : null).OfType<double>().ToArray()));
                    table.AddRow([group.Key.Correlation?.ToString("0.###", CultureInfo.InvariantCulture) ?? group.Key.Data, group.Key.Budget.ToString("0.###", CultureInfo.InvariantCulture),
                        model, reference, .. perTask.Select(d => ParetoChart.Invariant($"{Signed(d.Mean)} ± {d.Sd:F4}"))]);
                    csv.Append(ParetoChart.Invariant($"{CsvField.Of(group.Key.Data)},{group.Key.Correlation},{group.Key.Budget},{model},{reference},{pairs.Length},"))
                       .Append(string.Join(",", perTask.Select(d => ParetoChart.Invariant($"{d.Mean:R},{d.Sd:R}")))).Append('\n');
                }
            }
        console.Rich.Write(table);
        Snr.Core.Checkpoints.AtomicFile.WriteAllText(Path.Combine(folder, "paired.csv"), csv.ToString());
        return "paired.csv ";
    }

    // +0.0012, -0.0003, and +0.0000 for a difference that rounds to zero from either side (never "-+0.0000").
    private static string Signed(double value)
    {
        double rounded = Math.Round(value, 4);
        return ParetoChart.Invariant($"{(rounded == 0 ? 0 : rounded):+0.0000;-0.0000;+0.0000}");
    }

    private static string CurveKey(double correlation) => ParetoChart.Invariant($"corr-{correlation:0.0##}");

    private static List<SweepRun> ReadRuns(string path)
    {
        if (!File.Exists(path)) throw new UserError($"There is no file '{path}'.");
        try
        {
            var runs = JsonSerializer.Deserialize(File.ReadAllText(path), SweepJsonContext.Default.ListSweepRun);
            return runs is { Count: > 0 } ? runs : throw new UserError($"{path} holds no runs.");
        }
        catch (JsonException e)
        {
            throw new UserError($"{path} is not a pareto.json: {e.Message}");
        }
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
