using Snr.Core.Checkpoints;
using Snr.Onnx;

namespace Snr.Cli;

/// <summary><c>snr export</c>: write a saved model's pruned serving graph as an ONNX file.</summary>
internal static class ExportCommand
{
    public static Command Create(CliConsole console)
    {
        var model = SnrCli.SavedModelOption();
        var output = new Option<string>("--out") { Description = "the ONNX file to write (replaced atomically)", Required = true };
        var inputs = new Option<string>("--inputs")
        {
            Description = "encoded: 'numeric' float [N, n] standardised and 'categorical' int64 [N, c] embedding rows; raw: one [N, 1] input per schema column (numbers as float, NaN = missing; categories as text)",
            DefaultValueFactory = _ => "encoded",
        };
        SnrCli.AcceptOnlyOneOf(inputs, ["encoded", "raw"]);
        var command = new Command("export", "Export a saved model to ONNX, for ONNX Runtime, ML.NET and other ONNX hosts: one output per task, named after it.") { model, output, inputs };
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            string path = parse.GetValue(output)!;
            var form = parse.GetValue(inputs) == "raw" ? OnnxInputForm.Raw : OnnxInputForm.Encoded;
            var (loaded, preprocessing) = ModelCheckpoint.Load(parse.GetValue(model)!);
            OnnxExportSummary summary;
            try
            {
                summary = OnnxExporter.Save(loaded, preprocessing, form, path);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                throw new UserError($"Cannot write '{path}': {e.Message}");
            }
            console.Line($"Wrote {Path.GetFullPath(path)} ({summary.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, ONNX opset {OnnxExporter.Opset}): "
                + $"{summary.NodeCount} nodes, {summary.FlopsPerRow.ToString("N0", CultureInfo.InvariantCulture)} FLOPs per row");
            console.Line($"  inputs:  {string.Join(", ", summary.InputNames)}");
            console.Line($"  outputs: {string.Join(", ", summary.OutputNames)}");
            return 0;
        }));
        return command;
    }
}
