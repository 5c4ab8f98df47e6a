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
        var command = new Command("eval", "Evaluate a saved model on a data set.") { model, data, delimiter, json };
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            var clock = Stopwatch.StartNew();
            string folder = parse.GetValue(model)!;
            var (loaded, document) = ModelCheckpoint.LoadWithDocument(folder);
            var (rows, name) = DataSource.ForEvaluation(parse.GetValue(data), TrainingOptions.Delimiter(parse, delimiter), document, console);
            var predictor = Predictor.Compile(loaded);
            var metrics = Evaluator.Evaluate(predictor, loaded.Tasks, rows);
            ModelReport.Metrics(console, metrics, $"{loaded.Config.KindName} on {name}, {rows.Count:N0} rows");
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
