using Snr.Core.Serialization;

namespace Snr.Cli;

/// <summary>The options that <c>train</c>, <c>compare</c> and <c>pareto</c> share: the data and how to train on it.</summary>
internal sealed class TrainingOptions
{
    private readonly Option<string> _data = SnrCli.DataOption("census");
    private readonly Option<string[]> _tasks = SnrCli.TaskOption();
    private readonly Option<string[]> _ignore = SnrCli.IgnoreOption();
    private readonly Option<int> _epochs = SnrCli.PositiveInt("--epochs", 5, "passes over the training data");
    private readonly Option<int> _batch = SnrCli.PositiveInt("--batch-size", 256, "rows per step");
    private readonly Option<float> _lr = SnrCli.NonNegativeFloat("--lr", 2e-3f, "Adam learning rate", positive: true);
    private readonly Option<float> _l0 = SnrCli.NonNegativeFloat("--l0", 1e-4f, "weight λ of the routing penalty of SNR models, charged per training row");
    private readonly Option<string> _delimiter = DelimiterOption();
    private readonly Option<string[]> _numeric = new("--numeric") { Description = "for a CSV file: read this column as numeric (values that are not numbers are then errors); repeat per column" };
    private readonly Option<string[]> _categorical = new("--categorical") { Description = "for a CSV file: read this column as categorical; repeat per column" };
    private readonly Option<string?> _schema = new("--schema") { Description = "for a CSV file: a text file of column kinds, one 'NAME: numeric|categorical|ignored' a line (the schema train prints can be pasted in)" };
    private readonly Option<int> _maxLevels = SnrCli.PositiveInt("--max-categorical-levels", Snr.Core.Tabular.SchemaInference.DefaultMaxCategoricalLevels,
        "for a CSV file: a column of numbers with at most this many distinct values is read as categorical");

    /// <summary>--delimiter, shared with eval.</summary>
    public static Option<string> DelimiterOption() => new("--delimiter")
    {
        Description = "the CSV field separator: ',' (default), ';', tab, or another single character",
        DefaultValueFactory = _ => ",",
    };

    /// <summary>The delimiter option's value as a character.</summary>
    /// <exception cref="ArgumentException">Not a usable delimiter.</exception>
    public static char Delimiter(ParseResult parse, Option<string> option) => Snr.Core.Tabular.CsvOptions.ParseDelimiter(parse.GetValue(option)!);

    private readonly Option<string?> _train = new("--train") { Description = "a training CSV file (instead of --data): the schema and the encoder come from it alone; needs --test" };
    private readonly Option<string?> _validation = new("--validation") { Description = "with --train: a validation CSV file (default: a seeded 10% of the training file)" };
    private readonly Option<string?> _test = new("--test") { Description = "with --train: the test CSV file that the final metrics are computed on" };

    private readonly Option<string?> _weight = new("--weight") { Description = "a column of per-row weights (finite, non-negative): the loss and the metrics are weighted means; the column is not an input" };

    private readonly Option<int> _maxVocabulary = SnrCli.PositiveInt("--max-vocabulary", Snr.Core.Tabular.VocabularyLimits.DefaultMaxSize,
        "the most levels a categorical column keeps (the most frequent in the training rows); other values encode as unknown");
    private readonly Option<int> _minCount = SnrCli.PositiveInt("--min-count", 1,
        "the fewest training rows a categorical level needs to be kept; rarer values encode as unknown");

    private readonly Option<int?> _patience = SnrCli.Patience();
    private readonly Option<string?> _watch = new("--watch") { Description = "the task whose validation loss --patience watches (default: the first task)" };
    private readonly Option<float> _clipNorm = SnrCli.NonNegativeFloat("--clip-norm", 0f, "clip the global gradient norm to this value (0: off)");
    private readonly Option<bool> _skipNonFinite = new("--skip-non-finite") { Description = "skip and count batches whose loss or gradients are NaN or infinite, instead of stopping" };
    private readonly RoutingOptions _routing = new();
    private readonly Option<bool> _stream = new("--stream")
    {
        Description = "train from a CSV file in chunks instead of loading it (data larger than memory): one pass fits the schema and the encoder, then each epoch reads the chunks in a seeded order and shuffles rows within --shuffle-buffer; with --data the split is 70/10/20 by a hash of each row's content",
    };
    private readonly Option<int> _shuffleBuffer = SnrCli.PositiveInt("--shuffle-buffer", Snr.Core.Tabular.StreamingRows.DefaultShuffleBufferRows,
        "with --stream: rows shuffled at a time (a row moves at most this many rows earlier than the order its chunk is read in)");

    /// <summary>Files larger than this, loaded in memory, get a note suggesting --stream (and eval streams them).</summary>
    internal const long LargeFileBytes = 1L << 30;

    /// <summary>True when <paramref name="path"/> is a file of more than <see cref="LargeFileBytes"/>.</summary>
    internal static bool IsLargeFile(string? path) => path is not null && System.IO.File.Exists(path) && new FileInfo(path).Length > LargeFileBytes;

    public void AddTo(Command command, bool budgets = true)
    {
        foreach (Option option in new Option[] { _data, _tasks, _ignore, _epochs, _batch, _lr, _l0, _delimiter, _numeric, _categorical, _schema, _maxLevels }) command.Options.Add(option);
        foreach (Option option in new Option[] { _patience, _watch, _clipNorm, _skipNonFinite }) command.Options.Add(option);
        _routing.AddTo(command, budgets);
        foreach (Option option in new Option[] { _train, _validation, _test, _weight }) command.Options.Add(option);
        foreach (Option option in new Option[] { _stream, _shuffleBuffer }) command.Options.Add(option);
        foreach (Option option in new Option[] { _maxVocabulary, _minCount }) command.Options.Add(option);
    }

    /// <summary>The data's name: the training file with --train, else --data.</summary>
    public string Data(ParseResult parse) => parse.GetValue(_train) ?? parse.GetValue(_data)!;

    /// <summary>Loads and splits the data (<paramref name="data"/> instead of --data when given).</summary>
    /// <exception cref="UserError">The data is too small for every part of the split to have a row.</exception>
    /// <exception cref="UserError">--train without --test (or the reverse), --validation without --train, or --train together with --data.</exception>
    public LoadedData Load(ParseResult parse, ulong seed, CliConsole console, string? data = null)
    {
        var csv = new CsvSettings(Delimiter(parse, _delimiter), parse.GetValue(_tasks) ?? [], parse.GetValue(_ignore) ?? [],
            parse.GetValue(_numeric) ?? [], parse.GetValue(_categorical) ?? [], parse.GetValue(_schema), parse.GetValue(_maxLevels))
        {
            Weight = parse.GetValue(_weight),
            Vocabulary = Given(parse, _maxVocabulary) || Given(parse, _minCount)
                ? new Snr.Core.Tabular.VocabularyLimits(parse.GetValue(_maxVocabulary), parse.GetValue(_minCount)) : null,
        };
        string? train = parse.GetValue(_train), validation = parse.GetValue(_validation), test = parse.GetValue(_test);
        StreamSettings? stream = parse.GetValue(_stream) ? new StreamSettings(parse.GetValue(_shuffleBuffer)) : null;
        if (stream is null && Given(parse, _shuffleBuffer)) throw new UserError("--shuffle-buffer goes with --stream.");
        if (train is null && validation is null && test is null)
        {
            string file = data ?? parse.GetValue(_data)!;
            if (stream is not null) return DataSource.LoadStreaming(file, null, null, csv, stream, seed, console);
            NoteLargeFile(file, console);
            return DataSource.Load(file, csv, seed, console);
        }
        if (train is null) throw new UserError("--validation and --test go with --train FILE (files by role); for one data set split at random use --data.");
        if (test is null) throw new UserError("--train needs --test FILE: the file the final metrics are computed on.");
        if (parse.GetResult(_data) is { Implicit: false }) throw new UserError("Give either --data (one data set, split at random) or --train/--test files, not both.");
        if (stream is not null) return DataSource.LoadStreaming(train, validation, test, csv, stream, seed, console);
        NoteLargeFile(train, console);
        return DataSource.LoadFiles(train, validation, test, csv, seed, console);
    }

    private static void NoteLargeFile(string path, CliConsole console)
    {
        if (IsLargeFile(path))
            console.Line($"note: {path} is {new FileInfo(path).Length / (1 << 20):N0} MB and is read into memory; --stream trains on it chunk by chunk in bounded memory.");
    }

    /// <summary>
    /// The run's settings: the configuration file's (<c>--config</c>) when given, else the command line's
    /// defaults, with every flag given on the command line overriding it.
    /// </summary>
    public TrainSettings Settings(ParseResult parse, string model, ulong seed)
    {
        var file = _routing.File(parse);
        var training = file?.Training ?? new TrainingConfig
        {
            Epochs = _epochs.DefaultValueFactory!(null!), BatchSize = _batch.DefaultValueFactory!(null!), L0Lambda = _l0.DefaultValueFactory!(null!),
            Optimizer = new OptimizerConfig { LearningRate = _lr.DefaultValueFactory!(null!) },
        };
        training = training with { Seed = seed, Optimizer = training.Optimizer with { } };
        if (Given(parse, _epochs)) training.Epochs = parse.GetValue(_epochs);
        if (Given(parse, _batch)) training.BatchSize = parse.GetValue(_batch);
        if (Given(parse, _lr)) training.Optimizer.LearningRate = parse.GetValue(_lr);
        if (Given(parse, _l0)) training.L0Lambda = parse.GetValue(_l0);
        if (Given(parse, _clipNorm)) training.MaxGradNorm = parse.GetValue(_clipNorm);
        if (Given(parse, _skipNonFinite)) training.SkipNonFiniteBatches = parse.GetValue(_skipNonFinite);
        _routing.Apply(parse, training);
        return new TrainSettings(model, training, file?.Model is { } fileModel && fileModel.KindName == model ? fileModel : null)
        {
            Patience = parse.GetValue(_patience), Watch = parse.GetValue(_watch),
        };
    }

    /// <summary>The <c>--config</c> file, or null.</summary>
    public RunConfig? File(ParseResult parse) => _routing.File(parse);

    /// <summary>True when the user gave the option (not its default).</summary>
    internal static bool Given(ParseResult parse, Option? option) => option is not null && parse.GetResult(option) is { Implicit: false };
}
