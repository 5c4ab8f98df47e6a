using System.Globalization;
using System.Text;
using Snr.Distributed;
using static Snr.Tests.Distributed.DataParallelFixtures;

namespace Snr.Tests.Distributed;

/// <summary>
/// A small training file for streaming shards, in a temporary folder: x0 is the row's number (so a row can be recognised
/// after encoding), x1…x7 features, two binary tasks with missing labels, and row weights; fitted once with a hash split.
/// </summary>
internal sealed class StreamingShardFile : IDisposable
{
    public const int Rows = 600, ChunkRows = 25, Window = 2;
    private static readonly TaskSpec[] Tasks = [new("click", "click", TaskKind.Binary, ["1"]), new("buy", "buy", TaskKind.Binary, ["1"])];

    private readonly string _folder = Directory.CreateTempSubdirectory("snr-stream-shard-").FullName;

    public StreamingShardFile()
    {
        Path = System.IO.Path.Combine(_folder, "data.csv");
        var random = new Random(11);
        var text = new StringBuilder("x0,x1,x2,x3,x4,x5,x6,x7,click,buy,w\n");
        for (int i = 0; i < Rows; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{i}");
            double sum = 0;
            for (int j = 1; j < Dimension; j++)
            {
                double x = random.NextDouble() * 2 - 1;
                sum += x * j;
                text.Append(CultureInfo.InvariantCulture, $",{x:R}");
            }
            string click = i % 11 == 5 ? "?" : sum + random.NextDouble() - 0.5 > 0 ? "1" : "0";
            string buy = i % 7 == 3 ? "?" : sum * 0.5 + random.NextDouble() - 0.5 > 0.3 ? "1" : "0";
            text.Append(CultureInfo.InvariantCulture, $",{click},{buy},{0.5 + i % 5 * 0.25}\n");
        }
        File.WriteAllText(Path, text.ToString());
        using var source = new CsvChunkSource(Path, CsvOptions.Default, ChunkRows);
        var inference = new SchemaInference { Declared = new Dictionary<string, ColumnKind> { ["w"] = ColumnKind.Ignored } };
        Fit = StreamingFit.Run(source, Tasks, inference, "w", new HashSplit(Seed: 7, Train: 0.8, Validation: 0.1));
    }

    public string Path { get; }

    public StreamingFit Fit { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public StreamingShard Shard(ModelConfig model, int rank, int workers, int globalBatch, int window = Window) =>
        new(new CsvChunkSource(Path, CsvOptions.Default, ChunkRows), Fit, model, rank, workers, globalBatch, seed: 3, window);

    /// <summary>A job of <see cref="DataParallelFixtures.Job"/> whose ranks stream their shards of this file.</summary>
    public DataParallelJob Job(string runId, ModelConfig model, int workers, int globalBatch, TrainingConfig? training = null) =>
        DataParallelFixtures.Job(runId, model, workers, globalBatch, training) with { Shards = (rank, n) => Shard(model, rank, n, globalBatch) };
}
