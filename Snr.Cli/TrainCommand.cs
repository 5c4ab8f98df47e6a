using System.CommandLine;
using Snr.Core.Checkpoints;

namespace Snr.Cli;

/// <summary><c>snr train</c>: train a model (SNR-Trans on Census-Income by default), report it, save it.</summary>
internal static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var data = SnrCli.DataOption("census");
        var tasks = SnrCli.TaskOption();
        var ignore = SnrCli.IgnoreOption();
        var model = SnrCli.ModelKindOption("snr-trans");
        var epochs = SnrCli.PositiveInt("--epochs", 5, "passes over the training data");
        var batch = SnrCli.PositiveInt("--batch-size", 256, "rows per step");
        var lr = SnrCli.NonNegativeFloat("--lr", 2e-3f, "Adam learning rate", positive: true);
        var l0 = SnrCli.NonNegativeFloat("--l0", 1e-4f, "weight λ of the L0 penalty on SNR gates");
        var seed = new Option<ulong>("--seed") { Description = "seed of the split, the initialisation and the shuffling", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "folder to save the model in", DefaultValueFactory = _ => "snr-model" };
        var json = SnrCli.JsonOption();
        var command = new Command("train", "Train a multi-task model, print its test metrics and routing, and save it.")
        {
            data, tasks, ignore, model, epochs, batch, lr, l0, seed, output, json,
        };
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            var settings = new TrainSettings(parse.GetValue(model)!, parse.GetValue(epochs), parse.GetValue(batch), parse.GetValue(lr), parse.GetValue(l0), parse.GetValue(seed));
            string dataName = parse.GetValue(data)!;
            console.Line($"Training {settings.Model} on {dataName} ({settings.Epochs} epochs, batch {settings.BatchSize}, lr {settings.LearningRate}, seed {settings.Seed})");
            var loaded = DataSource.Load(dataName, parse.GetValue(tasks) ?? [], parse.GetValue(ignore) ?? [], settings.Seed, console);
            console.Line($"{loaded.Train.Count:N0} training, {loaded.Validation.Count:N0} validation, {loaded.Test.Count:N0} test rows");
            var trained = ModelTraining.Train(loaded, settings, console);

            ModelReport.Metrics(console, trained.Test, "test metrics");
            ModelReport.Routing(console, trained.Model, trained.Predictor);
            ModelReport.Size(console, trained.Model, trained.Predictor);
            string folder = Path.GetFullPath(parse.GetValue(output)!);
            ModelCheckpoint.Save(folder, trained.Model, loaded.Encoder?.Preprocessing, loaded.Provenance);
            console.Line($"Saved to {folder} ({trained.Elapsed.TotalSeconds:F1}s of training)");
            if (parse.GetValue(json)) SnrCli.WriteJson(console, [ModelTraining.Summary("train", trained, dataName, folder)], asList: false);
            return 0;
        }));
        return command;
    }
}
