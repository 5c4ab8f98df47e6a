using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Parquet;
using Parquet.Schema;
using Snr.Core.Models;
using Snr.Core.Tabular;
using Snr.Data.Parquet;

namespace Snr.Benchmarks;

/// <summary>
/// Issue 16, the streaming producer: the same generated rows as CSV and as Parquet (300,000 rows ×
/// 40 columns, the shape of scripts/stream-benchmark.sh: two 0/1 int labels, 24 floats of two
/// decimals, 14 string columns of 2 to 5,000 levels; Parquet row groups of 100,000 rows, CSV
/// chunks of 65,536), written to a temporary folder in the setup. The Parquet file is written
/// twice: with Parquet.Net's default plain-encoded strings (<c>Parquet</c>), and with its string
/// columns dictionary-encoded (<c>ParquetDictionary</c>), as pyarrow and Spark write them by default.
/// <list type="bullet">
/// <item><c>fit</c>: the fitting pass (<see cref="StreamingFit.Run(IRowChunkSource, TabularSchema, HashSplit?, VocabularyLimits?, CancellationToken)"/>,
/// declared schema, hash split 90/10): reading, checking and hashing every row, the statistics.</item>
/// <item><c>epoch</c>: one streamed epoch of the training rows (<see cref="StreamingRows"/>, a
/// 65,536-row shuffle buffer, taken 512 rows at a time, no model): the producer reads and encodes
/// every chunk on the other core, as in training. The stream is made once, so this is a steady
/// epoch (the rows' roles known).</item>
/// </list>
/// Run: <c>dotnet run -c Release --project Snr.Benchmarks -- --filter '*StreamProducer*'</c>.
/// </summary>
[Config(typeof(StreamProducerConfig))]
public class StreamProducerBenchmarks
{
    private const int Rows = 300_000, RowGroupRows = 100_000, Numerics = 24, Categoricals = 14, Batch = 512;
    private static readonly int[] Cardinalities = [2, 3, 4, 5, 7, 10, 12, 20, 50, 100, 200, 500, 1000, 5000];
    private static readonly HashSplit Split = new(Seed: 1, Train: 0.9, Validation: 0.1);

    private string _folder = "";
    private string _csv = "", _parquet = "", _dictionary = "";
    private TabularSchema _schema = null!;
    private CsvChunkSource _csvSource = null!;
    private ParquetChunkSource _parquetSource = null!, _dictionarySource = null!;
    private StreamingRows _csvRows = null!, _parquetRows = null!, _dictionaryRows = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("snr-stream-producer-").FullName;
        _csv = Path.Combine(_folder, "rows.csv");
        _parquet = Path.Combine(_folder, "rows.parquet");
        _dictionary = Path.Combine(_folder, "dictionary.parquet");
        Generate(_csv, _parquet, _dictionary).GetAwaiter().GetResult();
        string[] names = ["click", "buy", .. Enumerable.Range(1, Numerics).Select(i => $"n{i:00}"), .. Enumerable.Range(1, Categoricals).Select(i => $"c{i:00}")];
        _schema = new TabularSchema(
            [.. names.Select(n => new ColumnSpec(n, n.StartsWith('n') ? ColumnKind.Numeric : ColumnKind.Categorical))],
            [new TaskSpec("click", "click", TaskKind.Binary, ["1"]), new TaskSpec("buy", "buy", TaskKind.Binary, ["1"])]);
        _csvSource = new CsvChunkSource(_csv, CsvOptions.Default);
        _parquetSource = ParquetChunkSource.Open(_parquet);
        _csvRows = new StreamingRows(_csvSource, StreamingFit.Run(_csvSource, _schema, Split), 1 << 16);
        _parquetRows = new StreamingRows(_parquetSource, StreamingFit.Run(_parquetSource, _schema, Split), 1 << 16);
        _dictionarySource = ParquetChunkSource.Open(_dictionary);
        _dictionaryRows = new StreamingRows(_dictionarySource, StreamingFit.Run(_dictionarySource, _schema, Split), 1 << 16);
        if (_csvRows.Count != _parquetRows.Count || _csvRows.Count != _dictionaryRows.Count)
            throw new InvalidOperationException($"The split differs: {_csvRows.Count} CSV, {_parquetRows.Count} and {_dictionaryRows.Count} Parquet training rows.");
        Epoch(_csvRows);     // warm each once
        Epoch(_parquetRows);
        Epoch(_dictionaryRows);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _csvSource.Dispose();
        _parquetSource.Dispose();
        _dictionarySource.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("fit")]
    public long FitCsv()
    {
        using var source = new CsvChunkSource(_csv, CsvOptions.Default);
        return StreamingFit.Run(source, _schema, Split).TrainRows;
    }

    [Benchmark, BenchmarkCategory("fit")]
    public long FitParquet()
    {
        using var source = ParquetChunkSource.Open(_parquet);
        return StreamingFit.Run(source, _schema, Split).TrainRows;
    }

    [Benchmark, BenchmarkCategory("fit")]
    public long FitParquetDictionary()
    {
        using var source = ParquetChunkSource.Open(_dictionary);
        return StreamingFit.Run(source, _schema, Split).TrainRows;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("epoch")]
    public float EpochCsv() => Epoch(_csvRows);

    [Benchmark, BenchmarkCategory("epoch")]
    public float EpochParquet() => Epoch(_parquetRows);

    [Benchmark, BenchmarkCategory("epoch")]
    public float EpochParquetDictionary() => Epoch(_dictionaryRows);

    // Takes every training row of one epoch; returns a sum of what was read, so nothing is optimised away.
    private static float Epoch(StreamingRows rows)
    {
        int n = rows.NumericCount, c = rows.CategoricalCount, t = rows.TaskNames.Count;
        var numeric = new float[Batch * n];
        var categorical = new int[Batch * c];
        var labels = new float[Batch * t];
        var weights = new float[Batch];
        float sum = 0;
        using var epoch = rows.Open(epoch: 1, seed: 3);
        for (long left = rows.Count; left > 0; left -= Batch)
        {
            int k = (int)Math.Min(Batch, left);
            epoch.Read(numeric.AsSpan(0, k * n), categorical.AsSpan(0, k * c), labels.AsSpan(0, k * t), weights.AsSpan(0, k));
            sum += numeric[0] + categorical[0] + labels[0];
        }
        return sum;
    }

    // The same rows as CSV (numbers as their shortest round-trip texts) and twice as Parquet (int labels, float numbers,
    // string levels plain-encoded, then dictionary-encoded).
    private static async Task Generate(string csvPath, string parquetPath, string dictionaryPath)
    {
        var random = new Random(1);
        DataField[] fields =
            [new DataField<int>("click"), new DataField<int>("buy"),
             .. Enumerable.Range(1, Numerics).Select(i => new DataField<float>($"n{i:00}")),
             .. Enumerable.Range(1, Categoricals).Select(i => new DataField<string>($"c{i:00}"))];
        await using var csv = new StreamWriter(csvPath, false, new UTF8Encoding(false), 1 << 20);
        await csv.WriteAsync(string.Join(',', fields.Select(f => f.Name)) + "\n");
        var dictionaryOptions = new ParquetOptions();
        foreach (var field in fields.Skip(2 + Numerics)) dictionaryOptions.ColumnEncodingHints[field.Path.ToString()] = EncodingHint.Dictionary;
        await using var stream = File.Create(parquetPath);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
        await using var dictionaryStream = File.Create(dictionaryPath);
        await using var dictionaryWriter = await ParquetWriter.CreateAsync(new ParquetSchema(fields), dictionaryStream, dictionaryOptions);
        var line = new StringBuilder();
        for (int first = 0; first < Rows; first += RowGroupRows)
        {
            int rows = Math.Min(RowGroupRows, Rows - first);
            var labels = new[] { new int[rows], new int[rows] };
            var numbers = Enumerable.Range(0, Numerics).Select(_ => new float[rows]).ToArray();
            var levels = Enumerable.Range(0, Categoricals).Select(_ => new string[rows]).ToArray();
            for (int r = 0; r < rows; r++)
            {
                for (int c = 0; c < Numerics; c++) numbers[c][r] = MathF.Round((float)(random.NextDouble() * 4 - 2 + c % 5), 2);
                for (int c = 0; c < Categoricals; c++) levels[c][r] = $"{(char)('a' + c)}{random.Next(Cardinalities[c])}";
                labels[0][r] = random.NextDouble() < 0.3 + 0.1 * numbers[0][r] ? 1 : 0;
                labels[1][r] = labels[0][r] == 1 && random.NextDouble() < 0.4 ? 1 : 0;
                line.Clear().Append(labels[0][r]).Append(',').Append(labels[1][r]);
                for (int c = 0; c < Numerics; c++) line.Append(',').Append(numbers[c][r].ToString("R", CultureInfo.InvariantCulture));
                for (int c = 0; c < Categoricals; c++) line.Append(',').Append(levels[c][r]);
                await csv.WriteAsync(line.Append('\n').ToString());
            }
            foreach (var parquet in new[] { writer, dictionaryWriter })
            {
                using var group = parquet.CreateRowGroup();
                await group.WriteAsync<int>(fields[0], labels[0].AsMemory());
                await group.WriteAsync<int>(fields[1], labels[1].AsMemory());
                for (int c = 0; c < Numerics; c++) await group.WriteAsync<float>(fields[2 + c], numbers[c].AsMemory());
                for (int c = 0; c < Categoricals; c++) await group.WriteAsync(fields[2 + Numerics + c], levels[c]);
            }
        }
    }
}

/// <summary>A short in-process job (1 launch, 2 warm-ups, 8 iterations), the ratios within each category, medians.</summary>
public sealed class StreamProducerConfig : ManualConfig
{
    public StreamProducerConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(8).WithToolchain(InProcessEmitToolchain.Instance));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median);
        AddColumn(BenchmarkDotNet.Columns.CategoriesColumn.Default);
        AddLogicalGroupRules(BenchmarkLogicalGroupRule.ByCategory);
        AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
    }
}
