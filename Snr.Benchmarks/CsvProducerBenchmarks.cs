using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Snr.Core.Tabular;

namespace Snr.Benchmarks;

/// <summary>
/// The CSV half of the streaming producer (issue 16): reading a file and splitting it into
/// <see cref="RowChunk"/>s of 65,536 rows, every field copied into the chunk, no parsing.
/// The file is generated in a temporary folder in <see cref="Setup"/>: 200,000 rows × 40 columns
/// shaped like scripts/stream-benchmark.sh's rows (two 0/1 labels, 24 numbers of up to 2 decimals,
/// 14 short category codes), about 36 MB, so it sits in the page cache after the first pass.
/// <list type="bullet">
/// <item><c>CsvReaderIntoChunks</c> (the baseline): the whole-file reader (<see cref="CsvReader"/>, the same byte
/// splitter handing a record at a time), its fields copied into chunks.</item>
/// <item><c>ChunkSource</c>: <see cref="CsvChunkSource"/> (its <c>CsvByteSplitter</c> splits the UTF-8 bytes)
/// reading every chunk in file order, as the first streamed epoch does.</item>
/// </list>
/// The chunk reader before the byte splitter was measured against it at commit adb3448 (notes/data-workflows.md), when
/// <see cref="CsvReader"/> still decoded with a <see cref="StreamReader"/> and split a string per line.
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*CsvProducer*'</c>.
/// </summary>
[Config(typeof(InProcessConfig))]
[MemoryDiagnoser]
public class CsvProducerBenchmarks
{
    private const int Rows = 200_000, Numbers = 24, Categories = 14;
    private string _folder = null!;
    private string _path = null!;
    private RowChunk _chunk = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("snr-csv-bench-").FullName;
        _path = Path.Combine(_folder, "rows.csv");
        var random = new Random(1);
        string[] names = ["click", "buy", .. Enumerable.Range(1, Numbers).Select(i => $"n{i:00}"), .. Enumerable.Range(1, Categories).Select(i => $"c{i:00}")];
        using (var writer = new StreamWriter(_path, false, new UTF8Encoding(false), 1 << 20))
        {
            writer.Write(string.Join(',', names));
            writer.Write('\n');
            var line = new StringBuilder();
            for (int r = 0; r < Rows; r++)
            {
                line.Clear().Append(random.Next(2)).Append(',').Append(random.Next(2));
                for (int c = 0; c < Numbers; c++)
                    line.Append(',').Append(Math.Round((random.NextDouble() - 0.3) * (1 + c % 7), 2).ToString(CultureInfo.InvariantCulture));
                for (int c = 0; c < Categories; c++)
                    line.Append(',').Append((char)('a' + c)).Append(random.Next(1 + c * c * 25));
                writer.Write(line.Append('\n'));
            }
        }
        _chunk = new RowChunk(_path, names);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public long CsvReaderIntoChunks()
    {
        using var reader = new CsvReader(_path, CsvOptions.Default);
        reader.Read(); // the header
        long rows = 0;
        _chunk.Clear(0);
        while (reader.Read())
        {
            for (int i = 0; i < reader.FieldCount; i++) _chunk.AddField(reader.Field(i), reader.FieldColumn(i));
            _chunk.EndRow(reader.Line);
            if (_chunk.RowCount == CsvChunkSource.DefaultChunkRows)
            {
                rows += _chunk.RowCount;
                _chunk.Clear(_chunk.Index + 1);
            }
        }
        return rows + _chunk.RowCount;
    }

    [Benchmark]
    public long ChunkSource()
    {
        using var source = new CsvChunkSource(_path, CsvOptions.Default);
        long rows = 0;
        for (int i = 0; source.TryReadChunk(i, _chunk); i++) rows += _chunk.RowCount;
        return rows;
    }
}
