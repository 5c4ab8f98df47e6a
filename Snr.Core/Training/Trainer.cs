using System.Diagnostics;
using Snr.Autograd;
using Snr.Core.Data;
using Snr.Core.Models;

namespace Snr.Core.Training;

/// <summary>
/// Trains a multi-task model by mini-batch gradient descent: a seeded shuffle per epoch, a
/// <see cref="TrainingStep"/> per batch, validation after each epoch, and optional early
/// stopping on one task's validation metric with the best weights restored.
/// </summary>
/// <remarks>
/// Training is bit-for-bit reproducible: the split, the shuffles and the SNR gate noise come
/// from counter-based random streams of the seeds, and every kernel sums in a fixed order.
/// The same model configuration, training configuration and data give identical weights.
/// </remarks>
/// <example>
/// <code>
/// var data = SyntheticMmoeData.Generate(10_000, correlation: 0.5, problemSeed: 1, rowSeed: 2);
/// var model = ModelFactory.Create(new MmoeConfig
/// {
///     NumericInputs = 100, Experts = 8, ExpertHidden = [16], TowerHidden = [8],
///     Tasks = [new("task1", TaskKind.Regression), new("task2", TaskKind.Regression)],
/// });
/// var history = new Trainer(model, new TrainingConfig
/// {
///     Epochs = 20, BatchSize = 128, ValidationFraction = 0.1,
///     EarlyStopping = new() { Task = "task1", Metric = ValidationMetric.Mse, Patience = 3 },
/// }).Fit(data, progress: e => Console.WriteLine($"epoch {e.Epoch}: {e.Validation[0].Mse:F4}"));
/// </code>
/// </example>
public sealed class Trainer
{
    private readonly MultiTaskModel _model;
    private readonly TrainingConfig _config;

    /// <summary>Creates a trainer for <paramref name="model"/>.</summary>
    /// <exception cref="ConfigException">The training configuration is invalid for this model.</exception>
    public Trainer(MultiTaskModel model, TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(config);
        config.Validate(model.Config);
        _model = model;
        _config = config;
    }

    /// <summary>
    /// Trains on <paramref name="train"/>. Validation uses <paramref name="validation"/> when given,
    /// else a held-out <see cref="TrainingConfig.ValidationFraction"/> of <paramref name="train"/>
    /// (none when that is 0). <paramref name="progress"/> is called after every epoch.
    /// </summary>
    /// <exception cref="ArgumentException">The data's features or tasks do not match the model, or early stopping has no validation set.</exception>
    /// <exception cref="InvalidOperationException">Early stopping watches the AUC of a task whose validation labels are all of one class.</exception>
    /// <exception cref="ArgumentException">The training data has no rows.</exception>
    /// <exception cref="TrainingCanceledException">
    /// Cancelled (checked before every batch). The model then holds the best weights so far with
    /// early stopping, otherwise those of the last completed epoch; the exception's history says which.
    /// </exception>
    public TrainingHistory Fit(MultiTaskDataset train, MultiTaskDataset? validation = null, Action<EpochRecord>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (validation is null && _config.ValidationFraction > 0)
            (train, validation) = train.Split(_config.ValidationFraction, _config.Seed);
        CheckData(train.NumericCount, train.CategoricalCount, train.TaskNames, nameof(train));
        if (train.Count == 0) throw new ArgumentException("The training data has no rows.", nameof(train));
        return Run(new DatasetRows(train), validation, progress, keepLastEpoch: cancellationToken.CanBeCanceled, cancellationToken);
    }

    /// <summary>
    /// Trains on rows streamed an epoch at a time (data larger than memory, see
    /// <see cref="Tabular.StreamingRows"/>), validating after each epoch on <paramref name="validation"/>: a
    /// <see cref="MultiTaskDataset"/>, or rows read in blocks (a validation set larger than memory, see
    /// <see cref="Tabular.StreamingEvaluationRows"/>); none when null (<see cref="TrainingConfig.ValidationFraction"/>
    /// does not apply). <paramref name="progress"/> is called after every epoch.
    /// </summary>
    /// <remarks>
    /// An epoch has <see cref="IRowStream.Count"/> rows in batches of <see cref="TrainingConfig.BatchSize"/>
    /// (the last one smaller), as in memory. When reading the data fails mid-epoch (a malformed row,
    /// a file that changed), the model is put back to the weights after the last completed epoch
    /// (with early stopping, the best epoch so far) and <see cref="TrainingDataException"/> says which.
    /// </remarks>
    /// <exception cref="ArgumentException">The data's features or tasks do not match the model, the stream has no rows, or early stopping has no validation set.</exception>
    /// <exception cref="TrainingDataException">Reading the training or validation rows failed; the inner exception says where (file, line and column for a malformed row).</exception>
    /// <exception cref="TrainingCanceledException">Cancelled (checked before every batch and while validation rows are read); the model keeps the weights of the last completed (or best) epoch.</exception>
    public TrainingHistory Fit(IRowStream train, IEvaluationRows? validation, Action<EpochRecord>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        CheckData(train.NumericCount, train.CategoricalCount, train.TaskNames, nameof(train));
        if (train.Count == 0) throw new ArgumentException("The training data has no rows.", nameof(train));
        if (train.Count > int.MaxValue) throw new ArgumentException($"An epoch of {train.Count:N0} rows is more than {int.MaxValue:N0}.", nameof(train));
        return Run(train, validation, progress, keepLastEpoch: true, cancellationToken);
    }

    private TrainingHistory Run(IRowStream train, IEvaluationRows? validation, Action<EpochRecord>? progress, bool keepLastEpoch, CancellationToken cancellationToken)
    {
        if (validation is not null) CheckData(validation.NumericCount, validation.CategoricalCount, validation.TaskNames, nameof(validation));

        int tasks = _model.Tasks.Count, n = (int)train.Count, streamTasks = train.TaskNames.Count;
        int batchSize = Math.Min(_config.BatchSize, n), remainder = n % batchSize;
        var labelColumns = new int[tasks];
        for (int t = 0; t < tasks; t++) labelColumns[t] = MultiTaskDataset.TaskIndex(train.TaskNames, _model.Tasks[t].Name);

        // Batch tensors allocated once and refilled: a full batch, and the epoch's last, smaller one.
        var full = new Batch(batchSize, _model.Config, tasks, streamTasks);
        var last = remainder > 0 ? new Batch(remainder, _model.Config, tasks, streamTasks) : full;
        var optimizer = _config.Optimizer.Create(_model.Parameters());
        optimizer.SetLearningRate(IsGate, _config.GateLearningRate);
        var routing = _model is SnrModel snrModel ? new RoutingRegularizer(snrModel, _config, (n + batchSize - 1) / batchSize) : null;
        var step = new TrainingStep(_model, optimizer, _config.TaskWeights(_model.Config),
            routing is null ? _config.L0Lambda : 0f, _config.MaxGradNorm, _config.SkipNonFiniteBatches, routing is null ? null : routing.Term);
        var taskLosses = new float[tasks];

        var es = _config.EarlyStopping;
        int esTask = es is null ? -1 : Array.FindIndex(_model.Config.Tasks, t => t.Name == es.Task);
        if (es is not null && validation is null)
            throw new ArgumentException("Early stopping needs a validation set: pass one or set a validation fraction.", nameof(validation));
        float[][]? best = null;
        double bestValue = double.NaN;
        int bestEpoch = 0, sinceBest = 0;
        bool stoppedEarly = false;
        // What a cancellation falls back to without early stopping: the weights after the last completed epoch.
        float[][]? lastEpoch = keepLastEpoch ? Snapshot(null) : null;

        var records = new List<EpochRecord>();
        // The history of a run that stops mid-epoch: the completed epochs, and the epoch whose weights the model is put back to.
        for (int epoch = 1; epoch <= _config.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            using var rows = train.Open(epoch, _config.Seed);
            var lossSums = new double[tasks];
            var labelledRows = new double[tasks];
            double totalSum = 0;
            int counted = 0;
            for (int start = 0; start < n; start += batchSize)
            {
                if (cancellationToken.IsCancellationRequested) throw new TrainingCanceledException(KeepSoFar(), cancellationToken);
                var batch = n - start < batchSize ? last : full;
                try
                {
                    rows.Read(batch.Numeric.Data, batch.Categorical, batch.Labels, batch.RowWeights);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new TrainingDataException(KeepSoFar(), e);
                }
                for (int t = 0; t < tasks; t++) batch.SetTask(t, labelColumns[t]);
                float total = step.Run(batch.Numeric, batch.Categorical, batch.Targets, batch.Weights, taskLosses);
                routing?.AfterStep();
                if (float.IsNaN(total)) continue; // a skipped non-finite batch
                counted += batch.Rows;
                totalSum += (double)total * batch.Rows;
                // A task's training loss is the (weighted) mean over the rows that have its label.
                for (int t = 0; t < tasks; t++)
                {
                    double labelled = System.Numerics.Tensors.TensorPrimitives.Sum(batch.Weights[t].Data);
                    lossSums[t] += taskLosses[t] * labelled;
                    labelledRows[t] += labelled;
                }
            }
            var trainLoss = new double[tasks];
            for (int t = 0; t < tasks; t++) trainLoss[t] = labelledRows[t] == 0 ? double.NaN : lossSums[t] / labelledRows[t];

            routing?.EndEpoch();
            TimeSpan beforeValidation = clock.Elapsed;
            IReadOnlyList<TaskMetrics> metrics;
            try
            {
                metrics = validation is null ? [] : Evaluator.Evaluate(_model, validation);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Validation read from disk was interrupted: this epoch is not complete.
                throw new TrainingCanceledException(KeepSoFar(), cancellationToken);
            }
            catch (Exception e) when (validation is not MultiTaskDataset && e is not OperationCanceledException)
            {
                // Reading validation rows from disk failed: as a failed read of training rows, keep the last completed epoch.
                throw new TrainingDataException(KeepSoFar(), e);
            }
            TimeSpan validating = clock.Elapsed - beforeValidation;
            double? zeroGates = _model is SnrModel snr ? snr.ZeroGateFraction() : null;
            var record = new EpochRecord(epoch, trainLoss, totalSum / Math.Max(counted, 1), metrics, zeroGates, clock.Elapsed, routing?.Stats(), validating);
            records.Add(record);
            progress?.Invoke(record);
            if (lastEpoch is not null && es is null) Snapshot(lastEpoch);

            // While a budget's target still falls, no epoch can be the best: its routing is not the one asked for.
            if (es is null || epoch <= (routing?.WarmupEpochs ?? 0)) continue;
            double value = metrics[esTask].Get(es.Metric);
            if (best is null || es.Improves(value, bestValue))
            {
                best = Snapshot(best);
                bestValue = value;
                bestEpoch = epoch;
                sinceBest = 0;
            }
            else if (++sinceBest >= es.Patience)
            {
                stoppedEarly = epoch < _config.Epochs;
                break;
            }
        }
        if (best is not null) Restore(best);
        var gateChanges = routing?.Finish();
        return new TrainingHistory(records, best is null ? records.Count : bestEpoch, stoppedEarly, step.SkippedBatches, gateChanges);

        // For a run cut short mid-epoch: back to the best epoch's weights (early stopping) or the last completed epoch's, and the history so far.
        TrainingHistory KeepSoFar()
        {
            if ((best ?? lastEpoch) is { } kept) Restore(kept);
            return new TrainingHistory(records, best is null ? records.Count : bestEpoch, false, step.SkippedBatches);
        }
    }

    /// <summary>True for the gate parameters (log α), which form their own optimiser group.</summary>
    public static bool IsGate(Modules.NamedParameter parameter) => parameter.Name.EndsWith("log_alpha", StringComparison.Ordinal);

    private void CheckData(int numericCount, int categoricalCount, IReadOnlyList<string> taskNames, string name)
    {
        if (numericCount != _model.Config.NumericInputs || categoricalCount != _model.Config.CategoricalInputs)
            throw new ArgumentException($"The {name} data has {numericCount} numeric and {categoricalCount} categorical inputs, " +
                $"the model expects {_model.Config.NumericInputs} and {_model.Config.CategoricalInputs}.", name);
        foreach (var task in _model.Tasks)
            if (!taskNames.Contains(task.Name))
                throw new ArgumentException($"The {name} data has no labels for task '{task.Name}'.", name);
    }

    private float[][] Snapshot(float[][]? into)
    {
        var parameters = _model.Parameters();
        into ??= new float[parameters.Count][];
        for (int i = 0; i < parameters.Count; i++)
        {
            into[i] ??= new float[parameters[i].Tensor.Size];
            parameters[i].Tensor.Data.CopyTo(into[i]);
        }
        return into;
    }

    private void Restore(float[][] weights)
    {
        var parameters = _model.Parameters();
        for (int i = 0; i < parameters.Count; i++) weights[i].CopyTo(parameters[i].Tensor.Data);
    }

    private sealed class Batch
    {
        private readonly int _streamTasks;

        public Batch(int rows, ModelConfig model, int tasks, int streamTasks)
        {
            Rows = rows;
            _streamTasks = streamTasks;
            Numeric = Tensor.Zeros(rows, model.NumericInputs);
            Categorical = new int[rows * model.CategoricalInputs];
            Labels = new float[rows * streamTasks];
            RowWeights = new float[rows];
            Targets = new Tensor[tasks];
            Weights = new Tensor[tasks];
            for (int t = 0; t < tasks; t++)
            {
                Targets[t] = Tensor.Zeros(rows, 1);
                Weights[t] = Tensor.Zeros(rows, 1);
            }
        }

        // Task t's targets from the stream's label column, weighted by the row weight, or weight 0 (and target 0) where the label is missing.
        public void SetTask(int t, int labelColumn)
        {
            Span<float> targets = Targets[t].Data, weights = Weights[t].Data;
            for (int i = 0; i < targets.Length; i++)
            {
                float label = Labels[i * _streamTasks + labelColumn];
                bool missing = MultiTaskDataset.IsMissing(label);
                targets[i] = missing ? 0f : label;
                weights[i] = missing ? 0f : RowWeights[i];
            }
        }

        public int Rows { get; }
        public Tensor Numeric { get; }
        public int[] Categorical { get; }
        public float[] Labels { get; }
        public float[] RowWeights { get; }
        public Tensor[] Targets { get; }
        public Tensor[] Weights { get; }
    }
}
