using Snr.Core.Serialization;

namespace Snr.Cli;

/// <summary>
/// <c>snr config --kind KIND</c>: writes the default model of a kind, fitted to a data set, and the
/// command line's default training settings, as the JSON file that <c>snr train --config</c> reads.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create(CliConsole console)
    {
        var kind = SnrCli.ModelKindOption("snr-trans");
        kind.Aliases.Add("--kind");
        var training = new TrainingOptions();
        var seed = new Option<ulong>("--seed") { Description = "seed recorded in the file", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "file to write (default: standard output)" };
        var command = new Command("config", "Write a model kind's default configuration and the training settings as JSON, to edit and pass to snr train --config.")
            { kind, seed, output };
        training.AddTo(command);
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            var settings = training.Settings(parse, parse.GetValue(kind)!, parse.GetValue(seed));
            var data = training.Load(parse, settings.Seed, console: new CliConsole(TextWriter.Null, console.Error, interactive: false));
            var model = settings.Config is { } given
                ? ModelBinding.Bind(given, data, settings.Seed)
                : DefaultModels.Create(settings.Model, data.Train.NumericCount, data.Encoder?.EmbeddingConfig(), data.Tasks, settings.Seed);
            string json = RunConfig.Serialize(new RunConfig { Model = model, Training = settings.Training });
            string? path = parse.GetValue(output);
            if (path is null) console.Output.WriteLine(json);
            else
            {
                Snr.Core.Checkpoints.AtomicFile.WriteAllText(path, json + "\n");
                console.Error.WriteLine($"Wrote {Path.GetFullPath(path)}");
            }
            return 0;
        }));
        return command;
    }
}
