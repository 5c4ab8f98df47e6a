using System.Diagnostics.Metrics;

namespace Snr.Hosting;

/// <summary>
/// The instruments of the meter <see cref="MeterName"/>, ready for OpenTelemetry
/// (<c>.WithMetrics(m =&gt; m.AddMeter("Snr.Hosting"))</c>) or <c>dotnet-counters</c>. Every
/// instrument has the tag <c>model</c>.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>snr.requests</c> (counter): prediction requests, tag <c>outcome</c> = ok, bad_request, not_found, unavailable.</item>
/// <item><c>snr.rows</c> (counter): rows scored.</item>
/// <item><c>snr.errors</c> (counter): refused requests, tag <c>kind</c> (<see cref="RequestErrorKind"/> in kebab case).</item>
/// <item><c>snr.request.duration</c> (histogram, seconds): time from routing to the scores being written, for every prediction request.</item>
/// <item><c>snr.model.version</c> (gauge): the version being served (0: none loaded).</item>
/// <item><c>snr.model.reloads</c> (counter): checkpoint loads, tag <c>outcome</c> = loaded, refused.</item>
/// </list>
/// </remarks>
public sealed class SnrMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Snr.Hosting";

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _rows;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _reloads;

    /// <summary>Creates the instruments through the app's meter factory.</summary>
    public SnrMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _requests = _meter.CreateCounter<long>("snr.requests", "{request}", "Prediction requests.");
        _rows = _meter.CreateCounter<long>("snr.rows", "{row}", "Rows scored.");
        _errors = _meter.CreateCounter<long>("snr.errors", "{request}", "Refused prediction requests, by kind.");
        _duration = _meter.CreateHistogram("snr.request.duration", "s", "Time to serve a prediction request.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
        _reloads = _meter.CreateCounter<long>("snr.model.reloads", "{load}", "Checkpoint loads, by outcome.");
    }

    internal void ObserveVersions(Func<IEnumerable<Measurement<long>>> versions) =>
        _meter.CreateObservableGauge("snr.model.version", versions, "{version}", "The model version being served (0: none).");

    internal void Served(string model, int rows, long startTimestamp)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        _requests.Add(1, tag, new KeyValuePair<string, object?>("outcome", "ok"));
        _rows.Add(rows, tag);
        _duration.Record(ElapsedSeconds(startTimestamp), tag);
    }

    internal void Refused(string model, RequestErrorKind kind, string outcome, long startTimestamp)
    {
        var tag = new KeyValuePair<string, object?>("model", model);
        _requests.Add(1, tag, new KeyValuePair<string, object?>("outcome", outcome));
        _errors.Add(1, tag, new KeyValuePair<string, object?>("kind", ProblemWriter.KindName(kind)));
        _duration.Record(ElapsedSeconds(startTimestamp), tag);
    }

    internal void Reloaded(string model, bool loaded) =>
        _reloads.Add(1, new KeyValuePair<string, object?>("model", model), new KeyValuePair<string, object?>("outcome", loaded ? "loaded" : "refused"));

    private static double ElapsedSeconds(long startTimestamp) => System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds;
}
