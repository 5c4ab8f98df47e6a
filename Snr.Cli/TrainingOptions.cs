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

    public void AddTo(Command command)
    {
        foreach (Option option in new Option[] { _data, _tasks, _ignore, _epochs, _batch, _lr, _l0 }) command.Options.Add(option);
    }

    public string Data(ParseResult parse) => parse.GetValue(_data)!;

    public LoadedData Load(ParseResult parse, ulong seed, CliConsole console) =>
        DataSource.Load(Data(parse), parse.GetValue(_tasks) ?? [], parse.GetValue(_ignore) ?? [], seed, console);

    public TrainSettings Settings(ParseResult parse, string model, ulong seed) =>
        new(model, parse.GetValue(_epochs), parse.GetValue(_batch), parse.GetValue(_lr), parse.GetValue(_l0), seed);
}
