using Snr.Distributed;
using static Snr.Tests.Distributed.DataParallelFixtures;

namespace Snr.Tests.Distributed;

/// <summary>
/// Issue 17, streaming shards: rank r of N streams the training rows of chunks c ≡ r (mod N) of a file; a pass reads each
/// of them once, step k can be read without the steps before it, and data-parallel training on streaming shards is
/// bit-identical run to run and matches single-process training on the same global batches.
/// </summary>
public sealed class StreamingShardTests : IDisposable
{
    private const int Rows = StreamingShardFile.Rows, ChunkRows = StreamingShardFile.ChunkRows, Window = StreamingShardFile.Window;

    private readonly StreamingShardFile _file = new();

    public void Dispose() => _file.Dispose();

    private StreamingShard Shard(ModelConfig model, int rank, int workers, int globalBatch, int window = Window) => _file.Shard(model, rank, workers, globalBatch, window);

    // x0 of every row as the encoder encodes it, in file order: the key that recognises a row in a batch.
    private float[] EncodedRowNumbers()
    {
        using var rows = StreamingEvaluationRows.AllRows(new CsvChunkSource(_file.Path, CsvOptions.Default, ChunkRows), _file.Fit.Encoder);
        using var reader = rows.Open();
        var numeric = new float[Rows * Dimension];
        Assert.Equal(Rows, reader.Read(numeric, [], new float[Rows * 2 /* tasks */], new float[Rows]));
        return [.. Enumerable.Range(0, Rows).Select(i => numeric[i * Dimension])];
    }

    private Dictionary<float, int> RowNumbersByKey()
    {
        var keys = EncodedRowNumbers();
        return Enumerable.Range(0, Rows).ToDictionary(i => keys[i]);
    }

    // The row numbers of the file's training rows: every row but those the split holds out.
    private HashSet<int> TrainingRowNumbers()
    {
        using var source = new CsvChunkSource(_file.Path, CsvOptions.Default, ChunkRows);
        var (validation, test) = _file.Fit.ReadHeldOut(source);
        var byKey = RowNumbersByKey();
        var rows = Enumerable.Range(0, Rows).ToHashSet();
        foreach (var part in new[] { validation, test })
            for (int i = 0; i < part.Count; i++) rows.Remove(byKey[part.Numeric[i * Dimension]]);
        return rows;
    }

    private static ShardBatch[] ReadSteps(StreamingShard shard, ModelConfig model, long from, int count)
    {
        var batches = new ShardBatch[count];
        for (int k = 0; k < count; k++) shard.Read(from + k, batches[k] = new ShardBatch(shard.RowsPerStep, model));
        return batches;
    }

    private static void AssertSame(ShardBatch expected, ShardBatch actual)
    {
        Assert.Equal(expected.Numeric.Data.ToArray(), actual.Numeric.Data.ToArray());
        for (int t = 0; t < expected.Targets.Length; t++)
        {
            Assert.Equal(expected.Targets[t].Data.ToArray(), actual.Targets[t].Data.ToArray());
            Assert.Equal(expected.Weights[t].Data.ToArray(), actual.Weights[t].Data.ToArray());
        }
    }

    [Fact]
    public void A_pass_reads_each_training_row_of_the_shards_chunks_once_and_the_ranks_cover_the_file()
    {
        var model = Mmoe();
        const int workers = 3, globalBatch = 31;
        var training = TrainingRowNumbers();
        var byKey = RowNumbersByKey();
        var seen = new HashSet<int>();
        long total = 0;
        for (int rank = 0; rank < workers; rank++)
        {
            using var shard = Shard(model, rank, workers, globalBatch);
            Assert.Equal(Enumerable.Range(0, Rows / ChunkRows).Where(c => c % workers == rank), shard.Chunks);
            var mine = training.Where(i => i / ChunkRows % workers == rank).ToHashSet();
            Assert.Equal(mine.Count, shard.TrainRows);
            var read = new List<int>();
            foreach (var batch in ReadSteps(shard, model, 0, (int)shard.StepsPerPass))
                for (int i = 0; i < batch.Rows; i++) read.Add(byKey[batch.Numeric.Data[i * Dimension]]);
            // Distinct, all this rank's training rows, and only the pass's tail (fewer than a step's rows) left out.
            Assert.Equal(read.Count, read.Distinct().Count());
            Assert.Subset(mine, read.ToHashSet());
            Assert.True(mine.Count - read.Count < shard.RowsPerStep, $"rank {rank}: {mine.Count - read.Count} rows left out of a pass");
            Assert.Equal(shard.StepsPerPass * shard.RowsPerStep, read.Count);
            seen.UnionWith(mine);
            total += mine.Count;
            // The next pass reads the same rows in another order.
            var next = ReadSteps(shard, model, shard.StepsPerPass, 1)[0];
            Assert.NotEqual(ReadSteps(shard, model, 0, 1)[0].Numeric.Data.ToArray(), next.Numeric.Data.ToArray());
        }
        Assert.Equal(training.Count, total);
        Assert.Equal(training, seen);
    }

    [Fact]
    public void A_missing_label_weighs_nothing_and_row_weights_come_from_the_file()
    {
        var model = Mmoe();
        using var shard = Shard(model, rank: 1, workers: 2, globalBatch: 40);
        var byKey = RowNumbersByKey();
        var batch = ReadSteps(shard, model, 3, 1)[0];
        for (int i = 0; i < batch.Rows; i++)
        {
            int row = byKey[batch.Numeric.Data[i * Dimension]];
            float weight = 0.5f + row % 5 * 0.25f;
            Assert.Equal(row % 11 == 5 ? 0f : weight, batch.Weights[0].Data[i]);
            Assert.Equal(row % 7 == 3 ? 0f : weight, batch.Weights[1].Data[i]);
        }
    }

    [Theory]
    [InlineData(3, Window)]
    [InlineData(8, Window)]
    [InlineData(3, 100)] // one window of every chunk of the shard
    public void Seeking_to_a_step_gives_the_batches_of_reading_up_to_it(int step, int window)
    {
        var model = Mmoe();
        using var sequential = Shard(model, rank: 2, workers: 3, globalBatch: 31, window);
        long passSteps = sequential.StepsPerPass;
        var all = ReadSteps(sequential, model, 0, (int)(2 * passSteps + 2));
        foreach (long k in new[] { step, passSteps - 1, passSteps, 2 * passSteps + 1 })
        {
            using var resumed = Shard(model, rank: 2, workers: 3, globalBatch: 31, window);
            var batch = ReadSteps(resumed, model, k, 1)[0];
            AssertSame(all[k], batch);
            // And backwards, as a rank re-opened after a rewind to an earlier checkpoint reads.
            AssertSame(all[1], ReadSteps(resumed, model, 1, 1)[0]);
        }
    }

    [Fact]
    public void A_shard_without_enough_rows_for_a_step_is_refused_with_the_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => Shard(Mmoe(), rank: 0, workers: 2, globalBatch: 600));
        Assert.Contains("fewer than the 300 it must give every step", error.Message);
    }

    [Fact]
    public void Data_parallel_training_on_streaming_shards_matches_single_process_training_and_repeats_bit_for_bit()
    {
        var training = new TrainingConfig { Optimizer = new OptimizerConfig { LearningRate = 0.01f }, L0Lambda = 0.05f, MaxGradNorm = 1f };
        var job = _file.Job("stream", SnrTrans(), workers: 3, globalBatch: 31, training);
        int steps = 8; // past the end of a window and into the shards' second window
        var single = SingleProcess(job, steps);
        var parallel = InProcess(job, steps);
        float difference = MaxAbsDifference(single, parallel);
        Assert.True(difference <= DataParallelEquivalenceTests.Tolerance, $"max |Δw| = {difference:G3} after {steps} steps");
        Assert.True(difference > 0, "the parts' sums should differ in the last bits somewhere");
        Assert.Equal(parallel, InProcess(job, steps));
    }
}
