using Snr.Core.Checkpoints;
using Snr.Core.Serving;
using Snr.Core.Tabular;

namespace Snr.Cli;

/// <summary>
/// <c>snr predict</c>: score the raw rows of a CSV file (with a header) through a saved model's
/// schema. The output has a key column first (<c>row</c>, the 1-based number of the data row, or
/// the input column named by <c>--key</c>), then one column per task, in plain decimal notation;
/// a <c>.parquet</c> input is read as Parquet, and a <c>.parquet</c> output is written as Parquet (float scores).
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliConsole console)
    {
        var model = SnrCli.SavedModelOption();
        var input = new Option<string>("--input") { Description = "a CSV file with a header row naming the model's input columns", Required = true };
        var output = new Option<string?>("--output") { Description = "where to write the scores (default: standard output); never the input file" };
        var key = new Option<string?>("--key") { Description = "an input column to copy as the first output column (default: row, the 1-based row number)" };
        var delimiter = TrainingOptions.DelimiterOption();
        var command = new Command("predict", "Score raw rows with a saved model: a key column, then one output column per task.") { model, input, output, key, delimiter };
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            var predictor = TabularPredictor.Load(parse.GetValue(model)!);
            string inputPath = parse.GetValue(input)!;
            if (!File.Exists(inputPath)) throw new UserError($"There is no input file '{inputPath}'.");
            string? outputPath = parse.GetValue(output);
            if (outputPath is not null) OutputPaths.RequireWritableFile("--output", outputPath, "--input", inputPath);
            var table = DataSource.ReadFile(inputPath, TrainingOptions.Delimiter(parse, delimiter)).Table;
            string? keyName = parse.GetValue(key);
            int keyColumn = keyName is null ? -1 : table.ColumnIndex(keyName);
            float[] scores = predictor.Score(table);
            var tasks = predictor.Predictor.Tasks;
            string keyHeader = keyName ?? "row";
            var keys = Enumerable.Range(0, table.RowCount).Select(r => keyColumn < 0 ? (r + 1).ToString(CultureInfo.InvariantCulture) : table.Value(r, keyColumn)).ToArray();
            if (outputPath is not null && Snr.Data.Parquet.ParquetTable.IsParquet(outputPath))
            {
                Snr.Data.Parquet.ParquetPredictions.Write(outputPath, keyHeader, keys, tasks, scores);
                console.Error.WriteLine($"Wrote {table.RowCount:N0} rows × {tasks.Count} tasks to {Path.GetFullPath(outputPath)} (Parquet)");
                return 0;
            }
            var lines = new List<string>(table.RowCount + 1) { string.Join(",", [CsvField.Of(keyHeader), .. tasks.Select(CsvField.Of)]) };
            for (int r = 0; r < table.RowCount; r++)
                lines.Add(string.Join(",", [CsvField.Of(keys[r]), .. Enumerable.Range(0, tasks.Count).Select(t => PlainDecimal(scores[r * tasks.Count + t]))]));
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

    /// <summary>A score in plain decimal notation (0.00001, never 1E-05), to float precision (7 significant digits).</summary>
    public static string PlainDecimal(float value) =>
        float.IsFinite(value) && MathF.Abs(value) < 1e28f
            ? ((decimal)value).ToString("0.############################", CultureInfo.InvariantCulture)
            : value.ToString(CultureInfo.InvariantCulture);
}
