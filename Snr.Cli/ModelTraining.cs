using System.Diagnostics;
using System.Globalization;
using Snr.Core.Models;
using Snr.Core.Serving;
using Snr.Core.Training;
using Spectre.Console;

namespace Snr.Cli;

/// <summary>The settings of one training run: the model kind, how to train, and the model itself when a file (or a sweep) gives it.</summary>
internal sealed record TrainSettings(string Model, TrainingConfig Training, ModelConfig? Config = null)
{
    public int Epochs => Training.Epochs;

    public int BatchSize => Training.BatchSize;

    public float LearningRate => Training.Optimizer.LearningRate;

    public ulong Seed => Training.Seed;
}

/// <summary>A trained model with its test metrics, its compiled serving form and its training history.</summary>
internal sealed record TrainedModel(string Kind, MultiTaskModel Model, IReadOnlyList<TaskMetrics> Test, Predictor Predictor, TimeSpan Elapsed,
    TrainingHistory? History = null);

/// <summary>Builds the model of a run for a data set and trains it, showing progress.</summary>
internal static class ModelTraining
{
    public static TrainedModel Train(LoadedData data, TrainSettings settings, CliConsole console, bool showProgress = true)
    {
        var config = settings.Config is { } given
            ? ModelBinding.Bind(given, data, settings.Seed)
            : DefaultModels.Create(settings.Model, data.Train.FeatureCount, data.Encoder?.EmbeddingConfig(), data.Tasks, settings.Seed);
        var model = ModelFactory.Create(config);
        // Routing settings apply to SNR models only: a compare or a sweep trains every kind with the same flags.
        var training = model is SnrModel ? settings.Training : settings.Training with { L0Lambda = 0, TargetCost = null, TargetConnections = null };
        TrainingHistory? history = null;
        var trainer = new Trainer(model, training);
        var clock = Stopwatch.StartNew();
        if (!showProgress)
        {
            history = trainer.Fit(data.Train, data.Validation);
        }
        else if (console.Interactive)
        {
            console.Rich.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask($"training {settings.Model}", maxValue: settings.Epochs);
                    history = trainer.Fit(data.Train, data.Validation, epoch =>
                    {
                        bar.Description = $"{settings.Model} epoch {epoch.Epoch}/{settings.Epochs} loss {epoch.TrainTotalLoss:F4}";
                        bar.Increment(1);
                    });
                });
        }
        else
        {
            history = trainer.Fit(data.Train, data.Validation, epoch => console.Line(EpochLine(epoch, settings.Epochs)));
        }
        var test = Evaluator.Evaluate(model, data.Test);
        var predictor = Predictor.Compile(ServingGraphBuilder.FromModel(model));
        if (showProgress && history?.GateChanges is { Count: > 0 } changes)
            console.Line($"Serving gates set after training: {string.Join(", ", changes)}");
        return new TrainedModel(settings.Model, model, test, predictor, clock.Elapsed, history);
    }

    private static string EpochLine(EpochRecord e, int epochs)
    {
        var validation = string.Join("  ", e.Validation.Select(m => $"{m.Task} {MetricName(m)} {Format(MetricValue(m))}"));
        string gates = e.Routing is { } r
            ? $"  expected cost {r.ExpectedCost:F3}{(r.Target is { } t ? $" (target {t:F3})" : "")}  live {r.LiveConnections}/{r.TotalConnections}  serving FLOPs {r.ServingFlopsPerRow:N0} ({(double)r.ServingFlopsPerRow / r.DenseFlopsPerRow:F3})"
            : e.ZeroGateFraction is { } z ? $"  zero gates {z:P0}" : "";
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
        Math.Round(trained.Elapsed.TotalSeconds, 2), output,
        trained.History?.Epochs.Select(e => new EpochSummary(e.Epoch, Math.Round(e.TrainTotalLoss, 6),
            [.. e.Validation.Select(m => new TaskResult(m.Task, MetricName(m), MetricValue(m)))],
            e.Routing?.ExpectedCost, e.Routing?.ServingFlopsPerRow, e.Routing?.LiveConnections, e.Routing?.Target)).ToList());
}
