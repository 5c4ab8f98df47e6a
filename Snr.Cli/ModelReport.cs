using Snr.Core.Serving;
using Spectre.Console;

namespace Snr.Cli;

/// <summary>The tables a person reads after training or inspecting: metrics, the learned routing, size and cost.</summary>
internal static class ModelReport
{
    public static void Metrics(CliConsole console, IReadOnlyList<TaskMetrics> metrics, string title)
    {
        var table = new Table().Title(title).AddColumn("task").AddColumn("metric").AddColumn(new TableColumn("value").RightAligned())
            .AddColumn(new TableColumn("log loss / mse").RightAligned());
        foreach (var m in metrics)
            table.AddRow(m.Task, ModelTraining.MetricName(m), ModelTraining.Format(ModelTraining.MetricValue(m)),
                ModelTraining.Format(m.LogLoss ?? m.Mse));
        console.Rich.Write(table);
    }

    /// <summary>
    /// Each routing level as a grid: a row per output block (the task, at the last level), a
    /// column per input block, the serving gate z where the connection survived and · where it is 0.
    /// </summary>
    public static void Routing(CliConsole console, MultiTaskModel model, Predictor predictor)
    {
        if (model is not SnrModel snr) return;
        for (int l = 0; l < snr.Levels.Count; l++)
        {
            var gate = snr.Levels[l].Gate;
            bool last = l == snr.Levels.Count - 1;
            var table = new Table().Title($"routing.{l} ({(snr.Levels[l] is Snr.Core.Routing.SnrTransLevel ? "SNR-Trans" : "SNR-Aver")}): serving z, · = pruned")
                .AddColumn(last ? "task \\ from" : "block \\ from");
            string source = l == 0 ? "level0" : $"routing.{l - 1}";
            for (int j = 0; j < gate.Inputs; j++) table.AddColumn(new TableColumn($"{source}.{j}").Centered());
            for (int i = 0; i < gate.Outputs; i++)
            {
                var cells = new List<string> { last ? model.Tasks[i].Name : i.ToString(CultureInfo.InvariantCulture) };
                for (int j = 0; j < gate.Inputs; j++)
                {
                    float z = gate.ServingGate(i, j);
                    cells.Add(z == 0f ? "[grey]·[/]" : z >= 0.5f ? $"[green]{z:F2}[/]" : $"[yellow]{z:F2}[/]");
                }
                table.AddRow(cells.ToArray());
            }
            console.Rich.Write(table);
        }
        var removed = predictor.Summary.RemovedGroups;
        console.Line(removed.Count == 0 ? "No sub-network was removed." : $"Removed from serving (no task reaches them): {string.Join(", ", removed)}");
    }

    public static void Size(CliConsole console, MultiTaskModel model, Predictor predictor)
    {
        var s = predictor.Summary;
        console.Line(string.Create(CultureInfo.InvariantCulture,
            $"Parameters: {model.ParameterCount:N0}   serving FLOPs per row: {s.FlopsPerRow:N0}   live connections: {s.LiveConnections}/{s.TotalConnections}"));
    }
}
