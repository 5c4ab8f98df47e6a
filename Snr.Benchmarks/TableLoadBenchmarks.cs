using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using Snr.Core.Tabular;
using Snr.Datasets;

namespace Snr.Benchmarks;

/// <summary>
/// In-memory loading of the bundled Census-Income data (99,762 rows × 42 columns), as <c>snr train --data census</c>
/// and <c>--data file.csv</c> load it: <see cref="CsvReader"/> splitting the records, <see cref="RawTable"/>
/// dictionary-encoding every field.
/// <list type="bullet">
/// <item><c>Embedded</c>: <see cref="CensusIncome.Load"/> of the gzip resource (decompressed while read).</item>
/// <item><c>PlainFile</c>: <see cref="RawTable.Load(string, CsvOptions, IReadOnlyList{string})"/> of the same text written
/// uncompressed to a temporary file in <see cref="Setup"/> (in the page cache after the first pass).</item>
/// </list>
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*TableLoad*'</c>.
/// </summary>
[Config(typeof(InProcessConfig))]
[MemoryDiagnoser]
public class TableLoadBenchmarks
{
    private string _folder = null!;
    private string _path = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("snr-load-bench-").FullName;
        _path = Path.Combine(_folder, "census-income.csv");
        using var text = new GZipStream(CensusIncome.OpenEmbedded(), CompressionMode.Decompress);
        using var file = File.Create(_path);
        text.CopyTo(file);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public int Embedded() => CensusIncome.Load().RowCount;

    [Benchmark]
    public int PlainFile() => RawTable.Load(_path, CensusIncome.Options, CensusIncome.ColumnNames).RowCount;
}
