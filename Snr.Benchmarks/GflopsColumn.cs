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
/// GFLOP/s = flops / median time, for benchmarks with a parameter implementing <see cref="IFlopCount"/>.
/// </summary>
public sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Floating-point operations (2 per multiply-add) per second, from the median time";

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

        return (flops.Value / stats.Median).ToString("F1"); // median is in ns, so flops/ns = GFLOP/s
    }
}
