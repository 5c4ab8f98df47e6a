using Snr.Core.Checkpoints;
using Snr.Core.Data;
using Snr.Core.Models;
using Snr.Core.Tabular;
using Snr.Core.Training;
using Snr.Data.Parquet;
using Snr.Datasets;

namespace Snr.Cli;

/// <summary>How to read a CSV file given with <c>--data</c>: its delimiter, its tasks, and the column kinds the user declared.</summary>
internal sealed record CsvSettings(
    char Delimiter, IReadOnlyList<string> Tasks, IReadOnlyList<string> Ignored, IReadOnlyList<string> Numeric, IReadOnlyList<string> Categorical,
    string? SchemaFile, int MaxCategoricalLevels)
{
    public static CsvSettings Default { get; } = new(',', [], [], [], [], null, SchemaInference.DefaultMaxCategoricalLevels);

    /// <summary>The column of per-row weights (--weight), or null.</summary>
    public string? Weight { get; init; }

    /// <summary>--max-vocabulary and --min-count, or null when neither was given (then <see cref="VocabularyLimits.Default"/>).</summary>
    public VocabularyLimits? Vocabulary { get; init; }

    /// <summary>The vocabulary limits to fit under.</summary>
    public VocabularyLimits Limits => Vocabulary ?? VocabularyLimits.Default;
}

/// <summary>A data set ready for training: three parts, the tasks, and the encoder fitted on the training part (tabular data only).</summary>
internal sealed record LoadedData(string Name, TaskConfig[] Tasks, MultiTaskDataset Train, MultiTaskDataset Validation, MultiTaskDataset Test,
    TabularEncoder? Encoder, DataProvenance Provenance)
{
    /// <summary>With --stream, the training rows read from disk an epoch at a time (<see cref="Train"/> is then empty, with the inputs' layout).</summary>
    public IRowStream? TrainStream { get; init; }

    /// <summary>The number of training rows, streamed or in memory.</summary>
    public long TrainRows => TrainStream?.Count ?? Train.Count;

    /// <summary>With --stream, the training file and its fit, for data-parallel workers that each stream a shard of it.</summary>
    public StreamedTrainingFile? StreamedFile { get; init; }

    /// <summary>With --stream, the validation rows read from disk at each evaluation (<see cref="Validation"/> is then empty).</summary>
    public IEvaluationRows? ValidationStream { get; init; }

    /// <summary>With --stream, the test rows read from disk when the model is tested (<see cref="Test"/> is then empty).</summary>
    public IEvaluationRows? TestStream { get; init; }

    /// <summary>The validation rows, streamed or in memory.</summary>
    public IEvaluationRows ValidationRows => ValidationStream ?? Validation;

    /// <summary>The test rows, streamed or in memory.</summary>
    public IEvaluationRows TestRows => TestStream ?? Test;

    /// <summary>A count of evaluation rows as text ("?" if a file's rows were not counted yet).</summary>
    public static string CountOf(IEvaluationRows rows) => rows.Count is { } count ? $"{count:N0}" : "?";
}

/// <summary>
/// The training file of a --stream run: <paramref name="Fit"/> (encoder and split, from the one fitting pass),
/// <paramref name="Open"/> opens the file again with chunks of the given number of rows (a Parquet file keeps its row groups),
/// and the shuffle buffer asked for.
/// </summary>
internal sealed record StreamedTrainingFile(StreamingFit Fit, Func<int, IRowChunkSource> Open, int ShuffleBufferRows);

/// <summary>--stream: train from disk in chunks (<paramref name="ShuffleBuffer"/> rows shuffled at a time) instead of loading the training file.</summary>
internal sealed record StreamSettings(int ShuffleBuffer);

/// <summary>
/// Resolves <c>--data</c>: <c>census</c> (Census-Income, income and never married),
/// <c>census-education</c> (education and never married), <c>synthetic</c> (the MMoE paper's
/// generator, two regression tasks of correlation 0.5), or a CSV file with a header row (or a
/// <c>.parquet</c> file, whose numeric columns are numeric and string columns categorical),
/// whose tasks are given with <c>--task NAME:COLUMN:POSITIVE</c> (binary; several positive
/// values separated by <c>|</c>) or <c>--task NAME:COLUMN</c> (regression); column kinds are
/// inferred (the rule is printed) unless declared with <c>--numeric</c>, <c>--categorical</c>,
/// <c>--ignore</c> or <c>--schema FILE</c>. Every data set is split 70/10/20 with the run's seed;
/// separate files by role go through <see cref="LoadFiles"/>.
/// </summary>
internal static class DataSource
{
    public const double TrainFraction = 0.7, ValidationFraction = 0.1;
    private const int SyntheticRows = 12_000;

    public static LoadedData Load(string data, CsvSettings csv, ulong seed, CliConsole console)
    {
        var provenance = new DataProvenance(data, seed, TrainFraction, ValidationFraction);
        if (SyntheticSpec.TryParse(data, SyntheticRows) is { } spec)
        {
            if (csv.Tasks.Count > 0) throw new UserError("--task applies to CSV files only; the synthetic data has tasks task1 and task2.");
            if (csv.Weight is not null) throw new UserError("--weight applies to tabular data only; the synthetic data has no weight column.");
            if (csv.Vocabulary is not null) throw new UserError("--max-vocabulary and --min-count apply to tabular data only; the synthetic data has no categorical column.");
            var all = SyntheticMmoeData.Generate(spec.Rows, correlation: spec.Correlation, problemSeed: spec.Problem ?? seed, rowSeed: seed + 1);
            var split = DataSplit.Shuffled(all.Count, seed, TrainFraction, ValidationFraction);
            TaskConfig[] tasks = [.. all.TaskNames.Select(n => new TaskConfig(n, TaskKind.Regression))];
            return new LoadedData(data, tasks, all.Subset(split.Train), all.Subset(split.Validation), all.Subset(split.Test), null, provenance);
        }
        var (table, schema) = ReadTable(data, csv, console);
        ModelTraining.RequireRowsForEveryPart(data, table.RowCount);
        var parts = TabularSplit.Create(table, schema, seed, TrainFraction, ValidationFraction, csv.Limits);
        PrintVocabularies(console, parts.Encoder.Preprocessing, csv);
        return new LoadedData(data, [.. schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind))], parts.Train, parts.Validation, parts.Test, parts.Encoder, provenance);
    }

    /// <summary>
    /// Resolves files by role (<c>--train</c>, <c>--validation</c>, <c>--test</c>): the schema is
    /// inferred from (or declared for) the training file, the encoder is fitted on its training
    /// rows only, and the other files are read through that schema. Without a validation file, a
    /// seeded <see cref="ValidationFraction"/> of the training file validates.
    /// </summary>
    public static LoadedData LoadFiles(string train, string? validation, string test, CsvSettings csv, ulong seed, CliConsole console)
    {
        var (trainTable, schema) = ReadTable(train, csv, console);
        var validationTable = validation is null ? null : ReadTable(validation, csv, console: null, schema).Table;
        var testTable = ReadTable(test, csv, console: null, schema).Table;
        var parts = TabularSplit.FromFiles(trainTable, validationTable, testTable, schema, seed, ValidationFraction, csv.Limits);
        PrintVocabularies(console, parts.Encoder.Preprocessing, csv);
        var provenance = validation is null
            ? new DataProvenance(train, seed, 1 - ValidationFraction, ValidationFraction, test)
            : new DataProvenance(train, seed, 1, 0, test);
        return new LoadedData(train, [.. schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind))], parts.Train, parts.Validation, parts.Test, parts.Encoder, provenance);
    }

    /// <summary>
    /// The rows to evaluate a saved model on, from <paramref name="data"/> (default: the data the
    /// model records): never the rows it was trained or validated on. The model's preprocessing
    /// identifies its training data by content, so the test split is found whatever the file is
    /// called, and rows of another file that equal a training or validation row are left out
    /// (with a note). A model that records no such identity is scored on every row, with a note
    /// saying so.
    /// </summary>
    public static (MultiTaskDataset Rows, string Name) ForEvaluation(string? data, char delimiter, CheckpointDocument document, CliConsole console)
    {
        var (preprocessing, provenance, name) = EvaluationFile(data, document);
        var (table, _) = ReadTable(name, CsvSettings.Default with { Delimiter = delimiter }, console: null, preprocessing.Schema);
        var encoder = new TabularEncoder(preprocessing);
        int[] rows;
        string description;
        if (preprocessing.TrainingData is not { } identity)
        {
            bool ownData = provenance is not null && provenance.Source == name;
            rows = ownData
                ? DataSplit.Shuffled(table.RowCount, provenance!.Seed, provenance.Train, provenance.Validation).Test
                : [.. Enumerable.Range(0, table.RowCount)];
            description = ownData ? $"{name} (test split)" : name;
            console.Line($"note: this model does not record which rows it was trained on (saved by an older version), so rows of {name} it was trained on cannot be left out{(ownData ? " beyond its recorded test split" : "; every row is scored")}.");
        }
        else
        {
            var unseen = identity.Unseen(table, preprocessing.Schema);
            rows = unseen.Rows;
            description = unseen.IsTestSplit ? $"{name} (test split)" : name;
            ReportUnseen(console, name, rows.Length, unseen.Excluded, unseen.IsTestSplit);
        }
        encoder.CheckLabels(table, rows);
        return (encoder.Encode(table, rows).ToDataset(), description);
    }

    /// <summary>
    /// The rows to evaluate a saved model on, as <see cref="ForEvaluation"/> chooses them, read from
    /// the file chunk by chunk when they are scored, never all in memory (<c>snr eval --stream</c>,
    /// or a large file). Returns null when the rows cannot be streamed, having said why: a built-in
    /// data set, or a model that does not record its training rows by content.
    /// </summary>
    public static (StreamingEvaluationRows Rows, string Name, string File)? StreamForEvaluation(string? data, char delimiter, CheckpointDocument document, CliConsole console)
    {
        var (preprocessing, _, name) = EvaluationFile(data, document);
        if (name is "census" or "census-education" || SyntheticSpec.TryParse(name, SyntheticRows) is not null)
        {
            console.Line($"note: {name} is built in and small; it is evaluated in memory.");
            return null;
        }
        if (preprocessing.TrainingData is null)
        {
            console.Line("note: this model does not record which rows it was trained on (saved by an older version), so its rows are found in memory.");
            return null;
        }
        var rows = StreamingEvaluationRows.Unseen(OpenChunks(name, delimiter, EvaluationChunkRows), new TabularEncoder(preprocessing), console.Interrupt);
        return (rows, rows.IsTestSplit ? $"{name} (test split)" : name, name);
    }

    /// <summary>
    /// After the rows of <see cref="StreamForEvaluation"/> (of <paramref name="file"/>) were scored,
    /// and so counted: says how many rows were left out as seen, as <see cref="ForEvaluation"/> does,
    /// and refuses an evaluation with no row, or with a binary task whose labels were all one class.
    /// </summary>
    /// <exception cref="UserError">No row was left to evaluate, or a binary task had one class only.</exception>
    public static void CheckStreamedEvaluation(StreamingEvaluationRows rows, string file, IReadOnlyList<TaskMetrics> metrics, IReadOnlyList<TaskConfig> tasks, CliConsole console)
    {
        long scored = rows.Count ?? 0;
        ReportUnseen(console, file, scored, rows.Excluded ?? 0, rows.IsTestSplit);
        foreach (var m in metrics)
            if (tasks.First(t => t.Name == m.Task).Kind == TaskKind.Binary && m.Auc is null)
                throw new UserError($"Task '{m.Task}': the {scored:N0} rows of {file} evaluated hold one class only (or no label); a binary task needs rows of both classes to be evaluated.");
    }

    // Which rows of `file` a saved model is evaluated on (its test split, or all but the seen rows), in memory and streamed alike.
    private static void ReportUnseen(CliConsole console, string file, long scored, long excluded, bool isTestSplit)
    {
        long total = scored + excluded;
        if (isTestSplit)
            console.Line($"{file} is the data this model was trained on (same content): evaluating on its test split, {scored:N0} of {total:N0} rows.");
        else if (excluded > 0)
            console.Line($"note: {excluded:N0} of {total:N0} rows of {file} are rows this model was trained or validated on (same content); they are left out.");
        if (scored == 0)
            throw new UserError($"Every row of {file} is a row this model was trained or validated on; there is nothing left to evaluate it on.");
    }

    // The preprocessing, the provenance and the data file to evaluate a saved model on: --data, else the test file or the data it records.
    private static (TabularPreprocessing Preprocessing, DataProvenance? Provenance, string Name) EvaluationFile(string? data, CheckpointDocument document)
    {
        var preprocessing = document.Preprocessing
            ?? throw new UserError("This model was trained on ready features (synthetic data) and has no schema to read a data file with.");
        var provenance = document.Data;
        string name = data ?? provenance?.TestFile ?? provenance?.Source ?? throw new UserError("The model does not record its data; pass --data.");
        return (preprocessing, provenance, name);
    }

    /// <summary>
    /// Resolves data for streaming training (<c>--stream</c>): the training CSV file is read in
    /// chunks (a Parquet file a row group at a time), never whole. One pass infers the schema (or takes the declared kinds) and fits the
    /// encoder; the training rows are then streamed each epoch. Without a validation file, a
    /// seeded 10% of the training file's rows validate, chosen by a hash of their content; with
    /// <c>--data</c> (no <paramref name="test"/>), the file is split 70/10/20 the same way. The
    /// validation and test rows (of their own files, or held out of the training file) are never
    /// held in memory: each evaluation reads them from disk chunk by chunk.
    /// </summary>
    public static LoadedData LoadStreaming(string train, string? validation, string? test, CsvSettings csv, StreamSettings stream, ulong seed, CliConsole console)
    {
        if (SyntheticSpec.TryParse(train, SyntheticRows) is not null || train is "census" or "census-education")
            throw new UserError($"--stream reads a CSV file from disk; {train} is built in and small enough to train in memory (leave out --stream).");
        if (!File.Exists(train)) throw new UserError($"There is no data file '{train}'.");
        if (csv.Tasks.Count == 0) throw new UserError($"Name the tasks of {train} with --task NAME:COLUMN:POSITIVE (binary) or --task NAME:COLUMN (regression).");
        var source = OpenChunks(train, csv.Delimiter);
        var tasks = csv.Tasks.Select(ParseTask).ToArray();
        var inference = new SchemaInference { MaxCategoricalLevels = csv.MaxCategoricalLevels, Declared = Declarations(csv) };
        HashSplit? split = validation is not null ? null
            : test is null ? new HashSplit(seed, TrainFraction, ValidationFraction)
            : new HashSplit(seed, 1 - ValidationFraction, ValidationFraction);
        var fit = StreamingFit.Run(source, tasks, inference, csv.Weight, split, csv.Limits, console.Interrupt);
        PrintSchema(console, train, inference, fit.Schema, fit.Notes);
        PrintVocabularies(console, fit.Encoder.Preprocessing, csv);
        if (split is not null && (fit.ValidationRows == 0 || (test is null && fit.TestRows == 0)))
            throw new UserError($"{train} leaves {fit.ValidationRows} validation and {(test is null ? fit.TestRows : "(a file of)")} test rows; each part needs at least one row.");
        // Evaluation reads through sources of its own: the training source is read by the training producer.
        var validationRows = validation is null
            ? StreamingEvaluationRows.HeldOut(OpenChunks(train, csv.Delimiter, EvaluationChunkRows), fit, RowRole.Validation, console.Interrupt)
            : FileRows(validation, csv, fit, console);
        var testRows = test is null
            ? StreamingEvaluationRows.HeldOut(OpenChunks(train, csv.Delimiter, EvaluationChunkRows), fit, RowRole.Test, console.Interrupt)
            : FileRows(test, csv, fit, console);
        var provenance = split is null ? new DataProvenance(train, seed, 1, 0, test) : new DataProvenance(train, seed, split.Train, split.Validation, test);
        var layout = new MultiTaskDataset([], fit.Encoder.NumericCount, [], fit.Encoder.Cardinalities.Count, [.. fit.Schema.Tasks.Select(t => t.Name)], [.. fit.Schema.Tasks.Select(_ => Array.Empty<float>())]);
        return new LoadedData(train, [.. fit.Schema.Tasks.Select(t => new TaskConfig(t.Name, t.Kind))], layout, layout, layout, fit.Encoder, provenance)
        {
            TrainStream = new StreamingRows(source, fit, stream.ShuffleBuffer, console.Interrupt),
            StreamedFile = new StreamedTrainingFile(fit, chunkRows => OpenChunks(train, csv.Delimiter, chunkRows), stream.ShuffleBuffer),
            ValidationStream = validationRows,
            TestStream = testRows,
        };
    }

    // Rows a CSV chunk holds when rows are evaluated: smaller than training's chunks (a chunk's text and its encoded rows,
    // two in flight, are the reading's memory), still large enough for the reading to overlap the scoring.
    private const int EvaluationChunkRows = 8192;

    // A data file read a chunk at a time: Parquet by its extension (a row group at a time), else CSV.
    private static IRowChunkSource OpenChunks(string path, char delimiter, int chunkRows = CsvChunkSource.DefaultChunkRows)
    {
        if (!File.Exists(path)) throw new UserError($"There is no data file '{path}'.");
        return ParquetTable.IsParquet(path) ? ParquetChunkSource.Open(path) : new CsvChunkSource(path, CsvOptions.Default with { Delimiter = delimiter }, chunkRows);
    }

    // A validation or test file read a chunk at a time at each evaluation. It is read through once now, so that a
    // malformed row or an empty file is refused before training, as when it is loaded, and its rows are counted.
    private static StreamingEvaluationRows FileRows(string path, CsvSettings csv, StreamingFit fit, CliConsole console)
    {
        var rows = StreamingEvaluationRows.AllRows(OpenChunks(path, csv.Delimiter, EvaluationChunkRows), fit.Encoder, console.Interrupt);
        if (rows.Scan() == 0) throw new UserError($"{path} has no data rows.");
        return rows;
    }

    private static void PrintSchema(CliConsole console, string data, SchemaInference inference, TabularSchema schema, IReadOnlyList<string> notes)
    {
        console.Line($"Schema of {data} ({inference.Rule}; declare kinds with --numeric, --categorical, --ignore or --schema; check it):");
        foreach (var line in schema.Describe().Split(Environment.NewLine)) console.Line("  " + line);
        foreach (var note in notes) console.Line($"note: {note} (--numeric COLUMN, --categorical COLUMN)");
    }

    // The limits and, per categorical input, its levels and the values the limits sent to unknown (as comments, so the printed
    // schema still reads back with --schema): every input when the limits were set on the command line, otherwise only those
    // that lost values (the default limits rarely do, and a list of every column would bury the first screen).
    private static void PrintVocabularies(CliConsole console, TabularPreprocessing preprocessing, CsvSettings csv)
    {
        if (csv.Vocabulary is not null && preprocessing.Categorical.Count == 0)
            console.Line("note: --max-vocabulary and --min-count change nothing here: the data has no categorical input.");
        foreach (var line in preprocessing.DescribeVocabularies(onlyLossy: csv.Vocabulary is null)) console.Line("  # " + line);
    }

    private static (RawTable Table, TabularSchema Schema) ReadTable(string data, CsvSettings csv, CliConsole? console, TabularSchema? known = null)
    {
        switch (data)
        {
            case "census":
            case "census-education":
                if (csv.Tasks.Count > 0) throw new UserError($"--task applies to CSV files only; {data} has its own tasks.");
                return (CensusIncome.Load(), known ?? Weighted(CensusIncome.Schema(data == "census" ? 1 : 2), csv.Weight));
        }
        if (!File.Exists(data))
            throw new UserError($"There is no data file '{data}' (and it is not one of census, census-education, synthetic).");
        var (table, fileKinds) = ReadFile(data, csv.Delimiter);
        if (known is not null) return (table, known);
        if (csv.Tasks.Count == 0) throw new UserError($"Name the tasks of {data} with --task NAME:COLUMN:POSITIVE (binary) or --task NAME:COLUMN (regression).");
        var tasks = csv.Tasks.Select(ParseTask).ToArray();
        foreach (var t in tasks) table.ColumnIndex(t.Column);
        var declared = Declarations(csv);
        foreach (var (name, kind) in fileKinds) declared.TryAdd(name, kind); // a Parquet column's type, unless the user declared its kind
        var inference = new SchemaInference { MaxCategoricalLevels = csv.MaxCategoricalLevels, Declared = declared };
        if (csv.Weight is not null) table.ColumnIndex(csv.Weight);
        var (inferred, notes) = inference.Infer(table, tasks);
        var schema = Weighted(inferred, csv.Weight);
        schema.Validate();
        if (console is not null) PrintSchema(console, data, inference, schema, notes);
        return (table, schema);
    }

    /// <summary>
    /// Reads a data file: Parquet by its extension (<c>.parquet</c>; the column kinds its types
    /// imply come back too), else CSV with a header and <paramref name="delimiter"/>.
    /// </summary>
    /// <exception cref="CsvFormatException">The file is malformed (file, line or row, and column named).</exception>
    public static (RawTable Table, IReadOnlyDictionary<string, ColumnKind> Kinds) ReadFile(string path, char delimiter = ',') =>
        ParquetTable.IsParquet(path) ? ParquetTable.Load(path) : (RawTable.Load(path, CsvOptions.Default with { Delimiter = delimiter }), new Dictionary<string, ColumnKind>());

    // The schema with --weight's column as its row weight (validated by the caller).
    private static TabularSchema Weighted(TabularSchema schema, string? weight) => weight is null ? schema : schema with { WeightColumn = weight };

    // Kinds from --schema first, then --numeric, --categorical and --ignore; a column declared two ways is an error.
    private static Dictionary<string, ColumnKind> Declarations(CsvSettings csv)
    {
        var declared = csv.SchemaFile is null ? [] : SchemaInference.ReadDeclarations(csv.SchemaFile);
        foreach (var (names, kind) in new[] { (csv.Numeric, ColumnKind.Numeric), (csv.Categorical, ColumnKind.Categorical), (csv.Ignored, ColumnKind.Ignored) })
            foreach (var name in names)
                if (declared.TryGetValue(name, out var other) && other != kind)
                    throw new UserError($"Column '{name}' is declared both {other} and {kind}.");
                else declared[name] = kind;
        if (csv.Weight is not null)
        {
            if (declared.TryGetValue(csv.Weight, out var kind) && kind != ColumnKind.Ignored)
                throw new UserError($"Column '{csv.Weight}' is the --weight column, so it cannot also be declared {kind}.");
            declared[csv.Weight] = ColumnKind.Ignored;
        }
        return declared;
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
