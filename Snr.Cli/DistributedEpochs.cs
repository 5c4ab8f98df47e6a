using Snr.Core.Data;
using Snr.Core.Serving;
using Snr.Distributed;

namespace Snr.Cli;

/// <summary>
/// The epochs of a data-parallel run, as single-process training reports them: the steps' losses gathered per epoch and,
/// at every epoch end, the coordinator's weights evaluated on the validation split with the compiled predictor, the same
/// epoch line, and with early stopping (<c>--patience</c>) the best epoch's weights kept and the run stopped once the
/// watched loss stops improving.
/// </summary>
internal sealed class DistributedEpochs
{
    private readonly double[] _losses;
    private readonly float[][] _taskLosses;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private readonly DataParallelJob _job;
    private readonly IEvaluationRows _validation;
    private readonly CliConsole _console;
    private readonly MultiTaskModel _model; // the trainer's copy, loaded with the coordinator's weights at every epoch end
    private readonly int _watched;
    private float[]? _best;
    private double _bestValue = double.NaN;
    private int _sinceBest;

    public DistributedEpochs(DataParallelJob job, IEvaluationRows validation, CliConsole console)
    {
        _losses = new double[job.Training.Epochs * job.StepsPerEpoch];
        _taskLosses = new float[_losses.Length][];
        _job = job;
        _validation = validation;
        _console = console;
        _model = ModelFactory.Create(job.Model);
        _watched = job.Training.EarlyStopping is { } es ? Array.FindIndex(job.Model.Tasks, t => t.Name == es.Task) : -1;
    }

    /// <summary>The epoch whose weights <see cref="Kept"/> gives (the last one ended, without early stopping).</summary>
    public int BestEpoch { get; private set; }

    /// <summary>True when early stopping ended the run before its last epoch.</summary>
    public bool StoppedEarly { get; private set; }

    /// <summary>The weights at the last epoch end seen, or null before one.</summary>
    public float[]? Last { get; private set; }

    /// <summary>Records a completed step; at an epoch end, evaluates and reports the epoch with the coordinator's <paramref name="weights"/>.</summary>
    /// <returns>False when early stopping ends the run here.</returns>
    public bool Step(StepReport report, Func<float[]> weights)
    {
        _losses[report.Step] = report.Loss;
        _taskLosses[report.Step] = report.TaskLosses;
        long stepsPerEpoch = _job.StepsPerEpoch;
        if ((report.Step + 1) % stepsPerEpoch != 0) return true;
        // The epoch's means over the steps this process ran (a resumed run has not run the epoch's earlier steps).
        int epoch = (int)((report.Step + 1) / stepsPerEpoch), start = (int)((epoch - 1) * stepsPerEpoch);
        var ran = Enumerable.Range(start, (int)stepsPerEpoch).Where(k => _taskLosses[k] is not null && double.IsFinite(_losses[k])).ToArray();
        double Mean(Func<int, double> of) => ran.Length == 0 ? double.NaN : ran.Average(of);
        var taskLosses = Enumerable.Range(0, _job.Model.Tasks.Length).Select(t => Mean(k => _taskLosses[k][t])).ToArray();
        Last = weights();
        bool goOn = End(epoch, Last, taskLosses, Mean(k => _losses[k]), _clock.Elapsed);
        _clock.Restart();
        return goOn;
    }

    /// <summary>Evaluates and reports epoch <paramref name="epoch"/>, whose last step left <paramref name="weights"/>.</summary>
    /// <returns>False when early stopping ends the run here.</returns>
    internal bool End(int epoch, float[] weights, IReadOnlyList<double> trainLoss, double totalLoss, TimeSpan elapsed)
    {
        ParameterVector.ScatterValues(weights, _model.Parameters());
        IReadOnlyList<TaskMetrics> metrics = _validation.Count == 0 ? [] : Evaluator.Evaluate(Predictor.Compile(_model), _model.Tasks, _validation);
        var snr = _model as SnrModel;
        var record = new EpochRecord(epoch, trainLoss, totalLoss, metrics, snr?.ZeroGateFraction(), elapsed,
            snr is null ? null : new RoutingRegularizer(snr, _job.Training, stepsPerEpoch: 1).Stats());
        _console.Line(ModelTraining.EpochLine(record, _job.Training.Epochs));
        if (_job.Training.EarlyStopping is not { } es || metrics.Count == 0)
        {
            BestEpoch = epoch;
            return true;
        }
        double value = metrics[_watched].Get(es.Metric);
        if (_best is null || es.Improves(value, _bestValue))
        {
            _best = weights;
            _bestValue = value;
            BestEpoch = epoch;
            _sinceBest = 0;
        }
        else if (++_sinceBest >= es.Patience)
        {
            StoppedEarly = epoch < _job.Training.Epochs;
            return false;
        }
        return true;
    }

    /// <summary>The weights to save: the best epoch's with early stopping, else <paramref name="last"/>.</summary>
    public float[] Kept(float[] last) => _best ?? last;
}
