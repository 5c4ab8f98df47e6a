using Snr.Core.Checkpoints;
using Snr.Core.Serialization;
using Snr.Core.Serving;
using Spectre.Console;

namespace Snr.Cli;

/// <summary><c>snr inspect</c>: what a saved model is — configuration, schema, size, gates and the pruned serving graph.</summary>
internal static class InspectCommand
{
    public static Command Create(CliConsole console)
    {
        var model = SnrCli.SavedModelOption();
        var command = new Command("inspect", "Show a saved model's configuration, schema, parameters, gate table and pruned serving graph.") { model };
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            var (loaded, document) = ModelCheckpoint.LoadWithDocument(parse.GetValue(model)!);
            var predictor = Predictor.Compile(loaded);
            console.Line($"Model: {loaded.Config.KindName}" + (document.Data is { } d ? $", trained on {d.Source} (split seed {d.Seed})" : ""));
            console.Line("Configuration:");
            console.Line(ConfigJson.Serialize(loaded.Config));
            if (document.Preprocessing is { } p)
            {
                console.Line($"Schema ({p.Numeric.Count} numeric, {p.Categorical.Count} categorical inputs):");
                foreach (var line in p.Schema.Describe().Split(Environment.NewLine)) console.Line("  " + line);
                foreach (var line in p.DescribeVocabularies()) console.Line("  # " + line);
            }
            ModelReport.Size(console, loaded, predictor);
            if (loaded is SnrModel snr)
            {
                var table = new Table().Title("gate table").AddColumn("level").AddColumn("out").AddColumn("in")
                    .AddColumn(new TableColumn("log_alpha").RightAligned()).AddColumn(new TableColumn("serving z").RightAligned()).AddColumn(new TableColumn("P(z ≠ 0)").RightAligned());
                foreach (var row in snr.GateTable())
                    table.AddRow(row.Level, row.Output.ToString(CultureInfo.InvariantCulture), row.Input.ToString(CultureInfo.InvariantCulture),
                        row.LogAlpha.ToString("F3", CultureInfo.InvariantCulture), row.ServingGate.ToString("F3", CultureInfo.InvariantCulture),
                        row.ProbabilityNonZero.ToString("F3", CultureInfo.InvariantCulture));
                console.Rich.Write(table);
                ModelReport.Routing(console, loaded, predictor);
            }
            console.Line("Serving graph after pruning:");
            foreach (var line in predictor.DescribeGraph())
                console.Line("  " + line);
            return 0;
        }));
        return command;
    }
}
