using System.Text.Json;
using Snr.Core.Serialization;

namespace Snr.Cli;

/// <summary>The options of gate training and budgets, and <c>--config FILE.json</c>.</summary>
internal sealed class RoutingOptions
{
    private readonly Option<float> _gateLr = SnrCli.NonNegativeFloat("--gate-lr", new TrainingConfig().GateLearningRate,
        "learning rate of the SNR gates' log α (their own optimiser group, no weight decay)", positive: true);
    private readonly Option<RoutingPenalty> _penalty = new("--penalty")
    {
        Description = "what --l0 weighs: cost (expected serving FLOPs as a fraction of the dense model's) or connections (expected non-zero gates)",
        DefaultValueFactory = _ => RoutingPenalty.Cost,
    };
    private readonly Option<double?> _targetCost = new("--target-cost") { Description = "serving-FLOPs budget of SNR models, a fraction of the dense model's in (0, 1]" };
    private readonly Option<int?> _targetConnections = new("--target-connections") { Description = "budget of live routing connections of SNR models" };
    private readonly Option<double> _warmup = new("--budget-warmup")
    {
        Description = "fraction of the epochs over which a budget's target falls from 1 to its value",
        DefaultValueFactory = _ => new TrainingConfig().BudgetWarmup,
    };
    private readonly Option<string?> _config = new("--config") { Description = "a JSON file with the model and training configuration (write one with snr config); flags override it" };

    public void AddTo(Command command, bool budgets)
    {
        command.Options.Add(_gateLr);
        command.Options.Add(_penalty);
        command.Options.Add(_warmup);
        command.Options.Add(_config);
        if (!budgets) return;
        command.Options.Add(_targetCost);
        command.Options.Add(_targetConnections);
    }

    /// <summary>The parsed <c>--config</c> file, or null.</summary>
    /// <exception cref="UserError">The file is missing or not a valid run configuration (the message names the field).</exception>
    public RunConfig? File(ParseResult parse)
    {
        string? path = parse.GetValue(_config);
        return path is null ? null : Read(path);
    }

    /// <summary>Reads a run configuration file (as <c>snr config</c> writes it).</summary>
    /// <exception cref="UserError">The file is missing or not a valid run configuration (the message names the field).</exception>
    public static RunConfig Read(string path)
    {
        if (!System.IO.File.Exists(path)) throw new UserError($"There is no configuration file '{path}'.");
        try
        {
            return RunConfig.Deserialize(System.IO.File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new UserError($"{path}: {e.Message}");
        }
    }

    /// <summary>Writes every routing flag the user gave into <paramref name="training"/>.</summary>
    public void Apply(ParseResult parse, TrainingConfig training)
    {
        if (TrainingOptions.Given(parse, _gateLr)) training.GateLearningRate = parse.GetValue(_gateLr);
        if (TrainingOptions.Given(parse, _penalty)) training.Penalty = parse.GetValue(_penalty);
        if (TrainingOptions.Given(parse, _warmup)) training.BudgetWarmup = parse.GetValue(_warmup);
        if (parse.GetValue(_targetCost) is { } cost)
        {
            training.TargetCost = cost;
            training.TargetConnections = null;
        }
        if (parse.GetValue(_targetConnections) is { } k)
        {
            training.TargetConnections = k;
            training.TargetCost = null;
        }
    }
}
