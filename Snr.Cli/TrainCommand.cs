using System.CommandLine;
using Snr.Core.Checkpoints;

namespace Snr.Cli;

/// <summary><c>snr train</c>: train a model (SNR-Trans on Census-Income by default), report it, save it.</summary>
internal static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var training = new TrainingOptions();
        var model = SnrCli.ModelKindOption("snr-trans");
        var seed = new Option<ulong>("--seed") { Description = "seed of the split, the initialisation and the shuffling", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "folder to save the model in", DefaultValueFactory = _ => "snr-model" };
        var json = SnrCli.JsonOption();
        var command = new Command("train", "Train a multi-task model, print its test metrics and routing, and save it.") { model, seed, output, json };
        training.AddTo(command);
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            // The kind: --model when given, else the configuration file's model, else the default.
            string kind = TrainingOptions.Given(parse, model) || training.File(parse)?.Model is not { } fileModel ? parse.GetValue(model)! : ModelKinds.Of(fileModel);
            var settings = training.Settings(parse, kind, parse.GetValue(seed));
            string dataName = training.Data(parse);
            console.Line($"Training {settings.Model} on {dataName} ({settings.Epochs} epochs, batch {settings.BatchSize}, lr {settings.LearningRate}, gate lr {settings.Training.GateLearningRate}, seed {settings.Seed}" +
                (settings.Training.TargetCost is { } c ? $", target cost {c}" : settings.Training.TargetConnections is { } k ? $", target connections {k}" : "") + ")");
            var loaded = training.Load(parse, settings.Seed, console);
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
