using Spectre.Console;

namespace Snr.Cli;

/// <summary>
/// <c>snr compare</c>: the experiment of the SNR paper in one command — every model kind, at
/// comparable parameter budgets, trained on the same data and split for each of N seeds, in one table.
/// </summary>
internal static class CompareCommand
{
    public static Command Create(CliConsole console)
    {
        var training = new TrainingOptions();
        var seeds = SnrCli.PositiveInt("--seeds", 3, "number of seeds (each seed: its own split and initialisation, shared by all models)");
        var json = SnrCli.JsonOption();
        var command = new Command("compare", "Train Shared-Bottom, MMoE, SNR-Trans, SNR-Aver and single-task on the same data and compare them.") { seeds, json };
        training.AddTo(command);
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            string dataName = training.Data(parse);
            int seedCount = parse.GetValue(seeds);
            var results = DefaultModels.Kinds.ToDictionary(k => k, _ => new List<TrainedModel>());
            var summaries = new List<RunSummary>();
            for (int s = 1; s <= seedCount; s++)
            {
                var loaded = training.Load(parse, (ulong)s, s == 1 ? console : console.Quiet()); // the schema is printed once, not per seed
                foreach (var kind in DefaultModels.Kinds)
                {
                    var settings = training.Settings(parse, kind, (ulong)s);
                    var trained = ModelTraining.Train(loaded, settings, console, showProgress: false);
                    if (trained.Interrupted) throw new OperationCanceledException(console.Interrupt);
                    results[kind].Add(trained);
                    summaries.Add(ModelTraining.Summary("compare", trained, dataName, null));
                    console.Line(string.Create(CultureInfo.InvariantCulture,
                        $"seed {s}/{seedCount} {kind,-13} {string.Join("  ", trained.Test.Select(m => $"{m.Task} {ModelTraining.MetricName(m)} {ModelTraining.Format(ModelTraining.MetricValue(m))}"))}  {trained.Elapsed.TotalSeconds:F1}s"));
                }
            }
            Render(console, results, dataName, seedCount);
            if (parse.GetValue(json)) SnrCli.WriteJson(console, summaries, asList: true);
            return 0;
        }));
        return command;
    }

    private static void Render(CliConsole console, Dictionary<string, List<TrainedModel>> results, string data, int seeds)
    {
        var first = results.Values.First(r => r.Count > 0)[0];
        var table = new Table().Title($"{data}: test metrics over {seeds} seed(s), mean ± standard deviation").AddColumn("model");
        foreach (var m in first.Test) table.AddColumn(new TableColumn($"{m.Task} {ModelTraining.MetricName(m)}").RightAligned());
        table.AddColumn(new TableColumn("parameters").RightAligned()).AddColumn(new TableColumn("serving FLOPs/row").RightAligned())
            .AddColumn(new TableColumn("train time").RightAligned());
        foreach (var (kind, runs) in results)
        {
            var cells = new List<string> { kind };
            for (int t = 0; t < first.Test.Count; t++)
                cells.Add(MeanSpread(runs.Select(r => ModelTraining.MetricValue(r.Test[t]))));
            cells.Add(runs[0].Model.ParameterCount.ToString("N0", CultureInfo.InvariantCulture));
            cells.Add(((long)runs.Average(r => r.Predictor.Summary.FlopsPerRow)).ToString("N0", CultureInfo.InvariantCulture));
            cells.Add(runs.Average(r => r.Elapsed.TotalSeconds).ToString("F1", CultureInfo.InvariantCulture) + "s");
            table.AddRow(cells.ToArray());
        }
        console.Rich.Write(table);
    }

    private static string MeanSpread(IEnumerable<double?> values)
    {
        var defined = values.Where(v => v is not null).Select(v => v!.Value).ToArray();
        if (defined.Length == 0) return "n/a";
        double mean = defined.Average();
        double sd = defined.Length > 1 ? Math.Sqrt(defined.Sum(v => (v - mean) * (v - mean)) / (defined.Length - 1)) : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{mean:F4} ± {sd:F4}");
    }
}
