using System.CommandLine;

namespace Snr.Cli;

/// <summary>The options that <c>train</c> and <c>compare</c> share: the data and how to train on it.</summary>
internal sealed class TrainingOptions
{
    private readonly Option<string> _data = SnrCli.DataOption("census");
    private readonly Option<string[]> _tasks = SnrCli.TaskOption();
    private readonly Option<string[]> _ignore = SnrCli.IgnoreOption();
    private readonly Option<int> _epochs = SnrCli.PositiveInt("--epochs", 5, "passes over the training data");
    private readonly Option<int> _batch = SnrCli.PositiveInt("--batch-size", 256, "rows per step");
    private readonly Option<float> _lr = SnrCli.NonNegativeFloat("--lr", 2e-3f, "Adam learning rate", positive: true);
    private readonly Option<float> _l0 = SnrCli.NonNegativeFloat("--l0", 1e-4f, "weight λ of the L0 penalty on SNR gates");
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

    private readonly Option<int?> _patience = SnrCli.Patience();
    private readonly Option<string?> _watch = new("--watch") { Description = "the task whose validation loss --patience watches (default: the first task)" };
    private readonly Option<float> _clipNorm = SnrCli.NonNegativeFloat("--clip-norm", 0f, "clip the global gradient norm to this value (0: off)");
    private readonly Option<bool> _skipNonFinite = new("--skip-non-finite") { Description = "skip and count batches whose loss or gradients are NaN or infinite, instead of stopping" };

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _data, _tasks, _ignore, _epochs, _batch, _lr, _l0, _delimiter, _numeric, _categorical, _schema, _maxLevels }) command.Options.Add(option);
        foreach (Option option in new Option[] { _patience, _watch, _clipNorm, _skipNonFinite }) command.Options.Add(option);
    }

    public string Data(ParseResult parse) => parse.GetValue(_data)!;

    /// <summary>Loads and splits the data.</summary>
    /// <exception cref="UserError">The data is too small for every part of the split to have a row.</exception>
    public LoadedData Load(ParseResult parse, ulong seed, CliConsole console) =>
        DataSource.Load(Data(parse), new CsvSettings(Delimiter(parse, _delimiter), parse.GetValue(_tasks) ?? [], parse.GetValue(_ignore) ?? [],
            parse.GetValue(_numeric) ?? [], parse.GetValue(_categorical) ?? [], parse.GetValue(_schema), parse.GetValue(_maxLevels)), seed, console);

    public TrainSettings Settings(ParseResult parse, string model, ulong seed) =>
        new(model, parse.GetValue(_epochs), parse.GetValue(_batch), parse.GetValue(_lr), parse.GetValue(_l0), seed)
        {
            Patience = parse.GetValue(_patience), Watch = parse.GetValue(_watch),
            ClipNorm = parse.GetValue(_clipNorm), SkipNonFinite = parse.GetValue(_skipNonFinite),
        };
}
