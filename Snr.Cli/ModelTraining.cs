using System.Diagnostics;
using System.Globalization;
using Snr.Core.Models;
using Snr.Core.Serving;
using Snr.Core.Training;
using Spectre.Console;

namespace Snr.Cli;

/// <summary>The settings of one training run, from the command line.</summary>
internal sealed record TrainSettings(string Model, int Epochs, int BatchSize, float LearningRate, float L0, ulong Seed);

/// <summary>A trained model with its test metrics and its compiled serving form.</summary>
internal sealed record TrainedModel(string Kind, MultiTaskModel Model, IReadOnlyList<TaskMetrics> Test, Predictor Predictor, TimeSpan Elapsed);

/// <summary>Builds the default model of a kind for a data set and trains it, showing progress.</summary>
internal static class ModelTraining
{
    public static TrainedModel Train(LoadedData data, TrainSettings settings, CliConsole console, bool showProgress = true)
    {
        var config = DefaultModels.Create(settings.Model, data.Train.NumericCount, data.Encoder?.EmbeddingConfig(), data.Tasks, settings.Seed);
        var model = ModelFactory.Create(config);
        var training = new TrainingConfig
        {
            Epochs = settings.Epochs, BatchSize = settings.BatchSize, Seed = settings.Seed,
            L0Lambda = model is SnrModel ? settings.L0 : 0f,
            Optimizer = new OptimizerConfig { LearningRate = settings.LearningRate },
        };
        var trainer = new Trainer(model, training);
        var clock = Stopwatch.StartNew();
        if (!showProgress)
        {
            trainer.Fit(data.Train, data.Validation);
        }
        else if (console.Interactive)
        {
            console.Rich.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask($"training {settings.Model}", maxValue: settings.Epochs);
                    trainer.Fit(data.Train, data.Validation, epoch =>
                    {
                        bar.Description = $"{settings.Model} epoch {epoch.Epoch}/{settings.Epochs} loss {epoch.TrainTotalLoss:F4}";
                        bar.Increment(1);
                    });
                });
        }
        else
        {
            trainer.Fit(data.Train, data.Validation, epoch => console.Line(EpochLine(epoch, settings.Epochs)));
        }
        var predictor = Predictor.Compile(model);
        var test = Evaluator.Evaluate(predictor, model.Tasks, data.Test);
        return new TrainedModel(settings.Model, model, test, predictor, clock.Elapsed);
    }

    private static string EpochLine(EpochRecord e, int epochs)
    {
        var validation = string.Join("  ", e.Validation.Select(m => $"{m.Task} {MetricName(m)} {Format(MetricValue(m))}"));
        string gates = e.ZeroGateFraction is { } z ? $"  zero gates {z:P0}" : "";
        return string.Create(CultureInfo.InvariantCulture, $"epoch {e.Epoch}/{epochs}  loss {e.TrainTotalLoss:F4}  validation: {validation}{gates}  {e.Elapsed.TotalSeconds:F1}s");
    }

    /// <summary>The headline metric of a task: AUC for a binary task, RMSE for a regression task.</summary>
    public static string MetricName(TaskMetrics m) => m.Auc is not null || m.LogLoss is not null ? "auc" : "rmse";

    /// <summary>The headline value (null when undefined, such as AUC with one class).</summary>
    public static double? MetricValue(TaskMetrics m) => m.LogLoss is not null ? m.Auc : m.Rmse;

    public static string Format(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a";

    public static RunSummary Summary(string command, TrainedModel trained, string data, string? output) => new(
        command, trained.Kind, data,
        [.. trained.Test.Select(m => new TaskResult(m.Task, MetricName(m), MetricValue(m)))],
        trained.Model.ParameterCount, trained.Predictor.Summary.FlopsPerRow,
        trained.Predictor.Summary.LiveConnections, trained.Predictor.Summary.TotalConnections,
        Math.Round(trained.Elapsed.TotalSeconds, 2), output);
}
