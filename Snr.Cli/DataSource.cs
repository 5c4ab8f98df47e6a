using Snr.Core.Checkpoints;
using Snr.Core.Data;
using Snr.Core.Models;
using Snr.Core.Tabular;

namespace Snr.Cli;

/// <summary>A data set ready for training: three parts, the tasks, and the encoder fitted on the training part (tabular data only).</summary>
internal sealed record LoadedData(string Name, TaskConfig[] Tasks, MultiTaskDataset Train, MultiTaskDataset Validation, MultiTaskDataset Test,
    TabularEncoder? Encoder, DataProvenance Provenance);

/// <summary>
/// Resolves <c>--data</c>: <c>census</c> (Census-Income, income and never married),
/// <c>census-education</c> (education and never married), <c>synthetic</c> (the MMoE paper's
/// generator, two regression tasks of correlation 0.5), or a CSV file with a header row,
/// whose tasks are given with <c>--task NAME:COLUMN:POSITIVE</c> (binary; several positive
/// values separated by <c>|</c>) or <c>--task NAME:COLUMN</c> (regression).
/// Every data set is split 70/10/20 with the run's seed.
/// </summary>
internal static class DataSource
{
    public const double TrainFraction = 0.7, ValidationFraction = 0.1;
    private const int SyntheticRows = 12_000;

    public static LoadedData Load(string data, IReadOnlyList<string> taskSpecs, IReadOnlyList<string> ignored, ulong seed, CliConsole console)
    {
        var provenance = new DataProvenance(data, seed, TrainFraction, ValidationFraction);
        if (SyntheticSpec.TryParse(data, SyntheticRows) is { } spec)
        {
            if (taskSpecs.Count > 0) throw new UserError("--task applies to CSV files only; the synthetic data has tasks task1 and task2.");
            var all = SyntheticMmoeData.Generate(spec.Rows, correlation: spec.Correlation, problemSeed: spec.Problem ?? seed, rowSeed: seed + 1);
            var split = DataSplit.Shuffled(all.Count, seed, TrainFraction, ValidationFraction);
            TaskConfig[] tasks = [.. all.TaskNames.Select(n => new TaskConfig(n, TaskKind.Regression))];
            return new LoadedData(data, tasks, all.Subset(split.Train), all.Subset(split.Validation), all.Subset(split.Test), null, provenance);
        }
        var (table, schema) = ReadTable(data, taskSpecs, ignored, console);
        var parts = TabularSplit.Create(table, schema, seed, TrainFraction, ValidationFraction);
        return new LoadedData(data, [.. schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind))], parts.Train, parts.Validation, parts.Test, parts.Encoder, provenance);
    }

    /// <summary>The rows to evaluate a saved model on: the test split of its own data when <paramref name="data"/> is that data (or null), else every row of <paramref name="data"/>.</summary>
    public static (MultiTaskDataset Rows, string Name) ForEvaluation(string? data, CheckpointDocument document)
    {
        var preprocessing = document.Preprocessing
            ?? throw new UserError("This model was trained on ready features (synthetic data) and has no schema to read a data file with.");
        var provenance = document.Data;
        string name = data ?? provenance?.Source ?? throw new UserError("The model does not record its data; pass --data.");
        var (table, _) = ReadTable(name, [], [], console: null, preprocessing.Schema);
        var encoder = new TabularEncoder(preprocessing);
        int[] rows = provenance is not null && provenance.Source == name
            ? DataSplit.Shuffled(table.RowCount, provenance.Seed, provenance.Train, provenance.Validation).Test
            : [.. Enumerable.Range(0, table.RowCount)];
        return (encoder.Encode(table, rows).ToDataset(), provenance?.Source == name ? $"{name} (test split)" : name);
    }

    private static (RawTable, TabularSchema) ReadTable(string data, IReadOnlyList<string> taskSpecs, IReadOnlyList<string> ignored, CliConsole? console, TabularSchema? known = null)
    {
        switch (data)
        {
            case "census":
            case "census-education":
                if (taskSpecs.Count > 0) throw new UserError($"--task applies to CSV files only; {data} has its own tasks.");
                return (CensusIncome.Load(), known ?? CensusIncome.Schema(data == "census" ? 1 : 2));
        }
        if (!File.Exists(data))
            throw new UserError($"There is no data file '{data}' (and it is not one of census, census-education, synthetic).");
        var table = RawTable.Load(data, CsvOptions.Default);
        if (known is not null) return (table, known);
        if (taskSpecs.Count == 0) throw new UserError($"Name the tasks of {data} with --task NAME:COLUMN:POSITIVE (binary) or --task NAME:COLUMN (regression).");
        var tasks = taskSpecs.Select(ParseTask).ToArray();
        foreach (var t in tasks) table.ColumnIndex(t.Column);
        foreach (var c in ignored) table.ColumnIndex(c);
        var inferred = TabularSchema.Infer(table, tasks);
        var schema = inferred with { Columns = [.. inferred.Columns.Select(c => ignored.Contains(c.Name) ? c with { Kind = ColumnKind.Ignored } : c)] };
        schema.Validate();
        if (console is not null)
        {
            console.Line($"Schema of {data} (inferred; check it):");
            foreach (var line in schema.Describe().Split(Environment.NewLine)) console.Line("  " + line);
        }
        return (table, schema);
    }

    private static TaskSpec ParseTask(string spec)
    {
        var parts = spec.Split(':', 3);
        if (parts.Length < 2 || parts[0].Length == 0 || parts[1].Length == 0)
            throw new UserError($"--task '{spec}' is not NAME:COLUMN:POSITIVE (binary) or NAME:COLUMN (regression).");
        return parts.Length == 3
            ? new TaskSpec(parts[0], parts[1], TaskKind.Binary, parts[2].Split('|'))
            : new TaskSpec(parts[0], parts[1], TaskKind.Regression);
    }
}
