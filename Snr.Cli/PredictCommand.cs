using System.CommandLine;
using System.Globalization;
using Snr.Core.Checkpoints;
using Snr.Core.Serving;
using Snr.Core.Tabular;

namespace Snr.Cli;

/// <summary><c>snr predict</c>: score the raw rows of a CSV file (with a header) through a saved model's schema.</summary>
internal static class PredictCommand
{
    public static Command Create(CliConsole console)
    {
        var model = new Option<string>("--model") { Description = "a folder written by snr train", Required = true };
        var input = new Option<string>("--input") { Description = "a CSV file with a header row naming the model's input columns", Required = true };
        var output = new Option<string?>("--output") { Description = "where to write the scores (default: standard output)" };
        var command = new Command("predict", "Score raw rows with a saved model: one output column per task.") { model, input, output };
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            var predictor = TabularPredictor.Load(parse.GetValue(model)!);
            string inputPath = parse.GetValue(input)!;
            if (!File.Exists(inputPath)) throw new UserError($"There is no input file '{inputPath}'.");
            var table = RawTable.Load(inputPath, CsvOptions.Default);
            float[] scores = predictor.Score(table);
            var tasks = predictor.Predictor.Tasks;
            var lines = new List<string>(table.RowCount + 1) { string.Join(",", tasks) };
            for (int r = 0; r < table.RowCount; r++)
                lines.Add(string.Join(",", Enumerable.Range(0, tasks.Count).Select(t => scores[r * tasks.Count + t].ToString("G6", CultureInfo.InvariantCulture))));
            string? outputPath = parse.GetValue(output);
            if (outputPath is null)
            {
                foreach (var line in lines) console.Output.WriteLine(line);
            }
            else
            {
                AtomicFile.WriteAllText(outputPath, string.Join('\n', lines) + "\n");
                console.Error.WriteLine($"Wrote {table.RowCount:N0} rows × {tasks.Count} tasks to {Path.GetFullPath(outputPath)}");
            }
            return 0;
        }));
        return command;
    }
}
