using System.CommandLine;
using Snr.Core.Checkpoints;
using Snr.Core.Tabular;

namespace Snr.Cli;

/// <summary><c>snr train</c>: train a model (SNR-Trans on Census-Income by default), report it, save it.</summary>
internal static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var training = new TrainingOptions();
        var model = SnrCli.ModelKindOption("snr-trans");
        var seed = SnrCli.Seed("--seed", 1, "seed of the split, the initialisation and the shuffling");
        var output = new Option<string>("--out") { Description = "folder to save the model in (relative to the current folder)", DefaultValueFactory = _ => "snr-model" };
        var json = SnrCli.JsonOption();
        var workers = DistributedTraining.WorkersOption();
        var (checkpointEvery, resume) = (DistributedTraining.CheckpointEveryOption(), DistributedTraining.ResumeOption());
        var command = new Command("train", "Train a multi-task model, print its test metrics and routing, and save it.") { model, seed, output, json, workers, checkpointEvery, resume };
        training.AddTo(command);
        command.SetAction(parse => SnrCli.Guard(console, () =>
        {
            // The kind: --model when given, else the configuration file's model, else the default.
            string kind = TrainingOptions.Given(parse, model) || training.File(parse)?.Model is not { } fileModel ? parse.GetValue(model)! : fileModel.KindName;
            var settings = training.Settings(parse, kind, parse.GetValue(seed));
            string dataName = training.Data(parse);
            string folder = Path.GetFullPath(parse.GetValue(output)!);
            OutputPaths.RequireWritableFolder("--out", folder);
            if (parse.GetValue(workers) > 1)
                return DistributedTraining.Train(parse, training, kind, settings.Seed, parse.GetValue(workers), folder, parse.GetValue(checkpointEvery), parse.GetValue(resume), console);
            if (parse.GetValue(resume)) throw new UserError("--resume continues a data-parallel run (--workers N, N > 1); single-process training has no training state to resume.");
            console.Line($"Training {settings.Model} on {dataName} ({settings.Epochs} epochs, batch {settings.BatchSize}, lr {settings.LearningRate}, gate lr {settings.Training.GateLearningRate}, seed {settings.Seed}" +
                (settings.Training.TargetCost is { } c ? $", target cost {c}" : settings.Training.TargetConnections is { } k ? $", target connections {k}" : "") + ")");
            var loaded = training.Load(parse, settings.Seed, console);
            console.Line($"{loaded.TrainRows:N0} training, {LoadedData.CountOf(loaded.ValidationRows)} validation, {LoadedData.CountOf(loaded.TestRows)} test rows" +
                (loaded.TrainStream is StreamingRows streamed ? $" (training rows streamed from disk, shuffled {streamed.ShuffleBufferRows:N0} at a time)" : ""));
            if (loaded.ValidationStream is not null) console.Line("Validation and test rows are read from disk chunk by chunk at each evaluation, never all in memory.");
            var trained = ModelTraining.Train(loaded, settings, console);
            console.Line(trained.Kept);

            ModelReport.Metrics(console, trained.Test, "test metrics");
            ModelReport.Routing(console, trained.Model, trained.Predictor);
            ModelReport.Size(console, trained.Model, trained.Predictor);
            ModelCheckpoint.Save(folder, trained.Model, loaded.Encoder?.Preprocessing, loaded.Provenance);
            // Training and validation seconds apart, so that rows/s compare runs with validation sets of different sizes.
            var epochs = trained.History?.Epochs ?? [];
            double validating = epochs.Sum(e => e.ValidationElapsed.TotalSeconds), fitting = epochs.Sum(e => e.Elapsed.TotalSeconds) - validating;
            console.Line($"Saved to {Shown(folder)} ({fitting:F1}s of training, {validating:F1}s of validation)");
            // A read that failed mid-training: the last completed epoch is saved above, and the error is reported with its place.
            if (trained.DataError is { } failed) throw new UserError($"{failed.InnerException!.Message} (training stopped in epoch {failed.History.Epochs.Count + 1}; the model of epoch {failed.History.BestEpoch} is saved in {Shown(folder)})");
            if (parse.GetValue(json)) SnrCli.WriteJson(console, [ModelTraining.Summary("train", trained, dataName, folder)], asList: false);
            return trained.Interrupted ? SnrCli.InterruptedCode : 0;
        }));
        return command;
    }

    // A folder inside the current one as ./relative (what the user typed, usually), others in full.
    private static string Shown(string folder)
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, folder);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? folder : $".{Path.DirectorySeparatorChar}{relative}";
    }
}
