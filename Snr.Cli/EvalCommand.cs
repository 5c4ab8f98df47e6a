using System.CommandLine;
using System.Diagnostics;
using Snr.Core.Checkpoints;
using Snr.Core.Serving;
using Snr.Core.Training;

namespace Snr.Cli;

/// <summary>
/// <c>snr eval</c>: metrics of a saved model, by default on the test split of the data it was
/// trained on; never on rows it was trained on (see <see cref="DataSource.ForEvaluation"/>).
/// </summary>
internal static class EvalCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "a folder written by snr train", Required = true };
        var data = new Option<string?>("--data") { Description = "census, census-education or a CSV file (default: the model's own data, test split); rows the model was trained on are left out" };
        var delimiter = TrainingOptions.DelimiterOption();
        var json = SnrCli.JsonOption();
        var stream = new Option<bool>("--stream")
        {
            Description = $"read the data file chunk by chunk while scoring it instead of loading it (a file larger than memory); automatic for a file over {TrainingOptions.LargeFileBytes >> 30} GB. The metrics are the same",
        };
        var command = new Command("eval", "Evaluate a saved model on a data set.") { model, data, delimiter, json, stream };
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            var clock = Stopwatch.StartNew();
            string folder = parse.GetValue(model)!;
            var (loaded, document) = ModelCheckpoint.LoadWithDocument(folder);
            string? file = parse.GetValue(data);
            char separator = TrainingOptions.Delimiter(parse, delimiter);
            var streamed = parse.GetValue(stream) || TrainingOptions.IsLargeFile(file ?? document.Data?.TestFile ?? document.Data?.Source)
                ? DataSource.StreamForEvaluation(file, separator, document, console) : null;
            var predictor = Predictor.Compile(loaded);
            IReadOnlyList<TaskMetrics> metrics;
            string name;
            long count;
            if (streamed is (var streamedRows, var streamedName, var streamedFile))
            {
                console.Line($"Reading {streamedFile} chunk by chunk while scoring it.");
                metrics = Evaluator.Evaluate(predictor, loaded.Tasks, streamedRows);
                DataSource.CheckStreamedEvaluation(streamedRows, streamedFile, metrics, loaded.Tasks, console);
                (name, count) = (streamedName, streamedRows.Count ?? 0);
            }
            else
            {
                var (rows, inMemoryName) = DataSource.ForEvaluation(file, separator, document, console);
                metrics = Evaluator.Evaluate(predictor, loaded.Tasks, rows);
                (name, count) = (inMemoryName, rows.Count);
            }
            ModelReport.Metrics(console, metrics, $"{loaded.Config.KindName} on {name}, {count:N0} rows");
            if (parse.GetValue(json))
            {
                var trained = new TrainedModel(loaded.Config.KindName, loaded, metrics, predictor, clock.Elapsed);
                SnrCli.WriteJson(console, [ModelTraining.Summary("eval", trained, name, Path.GetFullPath(folder))], asList: false);
            }
            return 0;
        }));
        return command;
    }
}
