using System.CommandLine;
using Snr.Core.Serialization;
using Snr.Core.Training;

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
    private readonly RoutingOptions _routing = new();

    public void AddTo(Command command, bool budgets = true)
    {
        foreach (Option option in new Option[] { _data, _tasks, _ignore, _epochs, _batch, _lr, _l0 }) command.Options.Add(option);
        _routing.AddTo(command, budgets);
    }

    public string Data(ParseResult parse) => parse.GetValue(_data)!;

    public LoadedData Load(ParseResult parse, ulong seed, CliConsole console, string? data = null) =>
        DataSource.Load(data ?? Data(parse), parse.GetValue(_tasks) ?? [], parse.GetValue(_ignore) ?? [], seed, console);

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
        _routing.Apply(parse, training);
        return new TrainSettings(model, training, file?.Model is { } fileModel && ModelKinds.Of(fileModel) == model ? fileModel : null);
    }

    /// <summary>The <c>--config</c> file, or null.</summary>
    public RunConfig? File(ParseResult parse) => _routing.File(parse);

    /// <summary>True when the user gave the option (not its default).</summary>
    internal static bool Given(ParseResult parse, Option? option) => option is not null && parse.GetResult(option) is { Implicit: false };
}
