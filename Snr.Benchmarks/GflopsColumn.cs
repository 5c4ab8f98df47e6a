using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Snr.Benchmarks;

/// <summary>A benchmark parameter that knows how many floating-point operations one invocation does.</summary>
public interface IFlopCount
{
    /// <summary>Floating-point operations per benchmark invocation (a multiply-add counts as 2).</summary>
    double Flops { get; }
}

/// <summary>
/// GFLOP/s = flops / median time (or / minimum time), for benchmarks with a parameter implementing <see cref="IFlopCount"/>.
/// </summary>
/// <remarks>
/// The minimum is the best estimate of uncontended speed on a shared machine, where noise only ever adds time.
/// </remarks>
public sealed class GflopsColumn(bool fromMin = false) : IColumn
{
    public string Id => nameof(GflopsColumn) + (fromMin ? "Min" : "");
    public string ColumnName => fromMin ? "GFLOP/s (min)" : "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"Floating-point operations (2 per multiply-add) per second, from the {(fromMin ? "minimum" : "median")} time";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? flops = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<IFlopCount>().FirstOrDefault()?.Flops;
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (flops is null || stats is null)
        {
            return "-";
        }

        double nanoseconds = fromMin ? stats.Min : stats.Median;
        return (flops.Value / nanoseconds).ToString("F1"); // flops per ns = GFLOP/s
    }
}
