using System.Diagnostics;
using Snr.Core.Serving;
using Spectre.Console;

namespace Snr.Cli;

/// <summary>
/// The settings of one training run: the model kind, how to train, and the model itself when a file (or a sweep)
/// gives it. Early stopping is set from <see cref="Patience"/> and <see cref="Watch"/> once the tasks are known.
/// </summary>
internal sealed record TrainSettings(string Model, TrainingConfig Training, ModelConfig? Config = null)
{
    public int Epochs => Training.Epochs;

    public int BatchSize => Training.BatchSize;

    public float LearningRate => Training.Optimizer.LearningRate;

    public ulong Seed => Training.Seed;

    /// <summary>Early stopping: epochs without improvement of the watched validation loss (null: train every epoch, keep the last).</summary>
    public int? Patience { get; init; }

    /// <summary>The task whose validation loss early stopping watches (null: the first task).</summary>
    public string? Watch { get; init; }
}

/// <summary>
/// A trained model with its test metrics, its compiled serving form and its training history. <see cref="Kept"/>
/// says which epoch's weights it holds and why; <see cref="Interrupted"/> is true after Ctrl-C.
/// </summary>
internal sealed record TrainedModel(string Kind, MultiTaskModel Model, IReadOnlyList<TaskMetrics> Test, Predictor Predictor, TimeSpan Elapsed,
    TrainingHistory? History = null)
{
    public string Kept { get; init; } = "";

    public bool Interrupted { get; init; }

    /// <summary>With --stream, the failed read that stopped training (the model holds the last completed epoch); null otherwise.</summary>
    public TrainingDataException? DataError { get; init; }
}

/// <summary>Builds the default model of a kind for a data set and trains it, showing progress.</summary>
internal static class ModelTraining
{
    /// <summary>
    /// Trains the default model of <paramref name="settings"/>' kind. On Ctrl-C the model keeps the
    /// best or last completed epoch and comes back marked <see cref="TrainedModel.Interrupted"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException">Interrupted before the first epoch completed.</exception>
    public static TrainedModel Train(LoadedData data, TrainSettings settings, CliConsole console, bool showProgress = true)
    {
        var config = settings.Config is { } given
            ? ModelBinding.Bind(given, data, settings.Seed)
            : DefaultModels.Create(settings.Model, data.Train.NumericCount, data.Encoder?.EmbeddingConfig(), data.Tasks, settings.Seed);
        var model = ModelFactory.Create(config);
        string watched = settings.Watch ?? data.Tasks[0].Name;
        if (!data.Tasks.Any(t => t.Name == watched))
            throw new UserError($"--watch '{watched}' names no task; the tasks are {string.Join(", ", data.Tasks.Select(t => t.Name))}.");
        // Routing settings apply to SNR models only: a compare or a sweep trains every kind with the same flags.
        var training = model is SnrModel ? settings.Training : settings.Training with { L0Lambda = 0, TargetCost = null, TargetConnections = null };
        if (settings.Patience is { } patience)
            training = training with { EarlyStopping = new EarlyStoppingConfig { Task = watched, Metric = ValidationMetric.Loss, Patience = patience } };
        var trainer = new Trainer(model, training);
        var clock = Stopwatch.StartNew();
        TrainingHistory history;
        bool interrupted = false;
        TrainingDataException? dataError = null;
        try
        {
            history = Fit(trainer, data, settings, console, showProgress);
        }
        catch (TrainingCanceledException e) when (e.History.Epochs.Count > 0)
        {
            history = e.History;
            interrupted = true;
        }
        catch (TrainingDataException e)
        {
            // Nothing trained yet: the read error alone is the report.
            if (e.History.Epochs.Count == 0) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
            history = e.History;
            dataError = e;
        }
        var predictor = Predictor.Compile(model);
        var test = Evaluator.Evaluate(predictor, model.Tasks, data.TestRows);
        if (showProgress && history.GateChanges is { Count: > 0 } changes)
            console.Line($"Serving gates set after training: {string.Join(", ", changes)}");
        return new TrainedModel(settings.Model, model, test, predictor, clock.Elapsed, history)
        {
            Kept = Kept(history, settings, watched,
                cutShort: dataError is not null ? "Reading the training data failed" : interrupted ? "Interrupted" : null),
            Interrupted = interrupted,
            DataError = dataError,
        };
    }

    // Which epoch's weights the model holds, and why, as a sentence; cutShort says what ended the run mid-epoch (null: it ran to its end).
    private static string Kept(TrainingHistory history, TrainSettings settings, string watched, string? cutShort)
    {
        int ran = history.Epochs.Count;
        string why = settings.Patience is null
            ? (cutShort is null ? "the last epoch" : "the last completed epoch")
            : $"the best validation {watched} loss{(cutShort is null ? "" : " so far")}";
        string prefix = cutShort is null ? "Keeping" : $"{cutShort} during epoch {ran + 1}: keeping";
        string stopped = history.StoppedEarly ? $" (stopped early after epoch {ran} of {settings.Epochs}: {settings.Patience} epoch(s) without improvement)" : "";
        return $"{prefix} epoch {history.BestEpoch}, {why}{stopped}.";
    }

    private static TrainingHistory Fit(Trainer trainer, LoadedData data, TrainSettings settings, CliConsole console, bool showProgress)
    {
        if (data.TrainStream is { } stream)
            return trainer.Fit(stream, data.ValidationRows, showProgress ? epoch => console.Line(EpochLine(epoch, settings.Epochs)) : null, console.Interrupt);
        if (!showProgress)
        {
            return trainer.Fit(data.Train, data.Validation, cancellationToken: console.Interrupt);
        }
        else if (console.Interactive)
        {
            return console.Rich.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask($"training {settings.Model}", maxValue: settings.Epochs);
                    return trainer.Fit(data.Train, data.Validation, epoch =>
                    {
                        bar.Description = $"{settings.Model} epoch {epoch.Epoch}/{settings.Epochs} loss {epoch.TrainTotalLoss:F4}";
                        bar.Increment(1);
                    }, console.Interrupt);
                });
        }
        return trainer.Fit(data.Train, data.Validation, epoch => console.Line(EpochLine(epoch, settings.Epochs)), console.Interrupt);
    }

    /// <summary>Refuses data too small for its split: each part needs a row (training to learn, validation to pick the epoch, test for the metrics).</summary>
    /// <exception cref="UserError">A part is empty; the message gives the counts and the fewest rows that fill every part.</exception>
    public static void RequireRowsForEveryPart(string name, int total)
    {
        var split = Split(total);
        if (FillsEveryPart(split)) return;
        int needed = 1;
        while (!FillsEveryPart(Split(needed))) needed++;
        throw new UserError(string.Create(CultureInfo.InvariantCulture,
            $"{name} has {total:N0} row{(total == 1 ? "" : "s")}; the {Percent(DataSource.TrainFraction)}/{Percent(DataSource.ValidationFraction)}/{Percent(1 - DataSource.TrainFraction - DataSource.ValidationFraction)} split gives " +
            $"{split.Train.Length} training, {split.Validation.Length} validation and {split.Test.Length} test rows, and each part needs at least 1 row " +
            $"(training to learn, validation to pick the epoch, test for the metrics): use at least {needed} rows."));
    }

    private static int Percent(double fraction) => (int)Math.Round(100 * fraction);

    private static Snr.Core.Tabular.DataSplit Split(int rows) => Snr.Core.Tabular.DataSplit.Shuffled(rows, 0, DataSource.TrainFraction, DataSource.ValidationFraction);

    private static bool FillsEveryPart(Snr.Core.Tabular.DataSplit split) => split.Train.Length > 0 && split.Validation.Length > 0 && split.Test.Length > 0;

    internal static string EpochLine(EpochRecord e, int epochs)
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

    /// <summary>A task's headline metric (<see cref="MetricName"/>, <see cref="MetricValue"/>) for the summaries and the sweep.</summary>
    public static TaskResult Headline(TaskMetrics m) => new(m.Task, MetricName(m), MetricValue(m));

    public static string Format(double? value) => value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a";

    public static RunSummary Summary(string command, TrainedModel trained, string data, string? output) => new(
        command, trained.Kind, data,
        [.. trained.Test.Select(Headline)],
        trained.Model.ParameterCount, trained.Predictor.Summary.FlopsPerRow,
        trained.Predictor.Summary.LiveConnections, trained.Predictor.Summary.TotalConnections,
        Math.Round(trained.Elapsed.TotalSeconds, 2), output,
        trained.History?.Epochs.Select(e => new EpochSummary(e.Epoch, Math.Round(e.TrainTotalLoss, 6),
            [.. e.Validation.Select(Headline)],
            e.Routing?.ExpectedCost, e.Routing?.ServingFlopsPerRow, e.Routing?.LiveConnections, e.Routing?.Target)).ToList());
}
