using BenchmarkDotNet.Attributes;
using Snr.Core.Tabular;
using Snr.Datasets;

namespace Snr.Benchmarks;

/// <summary>
/// In-memory loading of the bundled Census-Income data (99,762 rows × 42 columns from the gzip resource), as
/// <c>snr train --data census</c> loads it: <see cref="CsvReader"/> splitting the records, <see cref="RawTable"/>
/// dictionary-encoding every field. Reading a plain file in memory is <see cref="CsvProducerBenchmarks"/>' baseline.
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*TableLoad*'</c>.
/// </summary>
[Config(typeof(InProcessConfig))]
[MemoryDiagnoser]
public class TableLoadBenchmarks
{
    [Benchmark]
    public int CensusIncomeLoad() => CensusIncome.Load().RowCount;
}
