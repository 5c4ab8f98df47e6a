using System.Globalization;
using System.Text;
using static Snr.Tests.Support.CliRun;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16, vocabulary limits: <c>--max-vocabulary</c> and <c>--min-count</c> reach the encoder in
/// memory and streamed, give the same vocabularies both ways, and say what went to the unknown row.
/// </summary>
public sealed class VocabularyFlagTests() : TempFolderTests("snr-vocabulary-")
{
    // A skewed 'city' of about 150 levels (many seen once or twice), a 'colour' of 4 levels with missing values, a binary label.
    private string WriteData(string name, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("x,city,colour,y\n");
        for (int i = 0; i < rows; i++)
        {
            double x = random.NextDouble();
            int city = (int)(150 * Math.Pow(random.NextDouble(), 3));
            string colour = (i % 5) switch { 0 => "?", 1 => "red", 2 => "green", _ => "blue" };
            text.Append(CultureInfo.InvariantCulture, $"{x:R},c{city},{colour},{(x + (city < 10 ? 0.5 : 0) > 0.7 ? 1 : 0)}\n");
        }
        File.WriteAllText(PathOf(name), text.ToString());
        return PathOf(name);
    }

    private static TabularSchema Schema => new(
        [new("x", ColumnKind.Numeric), new("city", ColumnKind.Categorical), new("colour", ColumnKind.Categorical), new("y", ColumnKind.Categorical)],
        [new TaskSpec("y", "y", TaskKind.Binary, ["1"])]);

    [Fact]
    public void In_memory_and_streamed_fits_keep_the_same_levels_and_count_the_same_unknown_values()
    {
        string path = WriteData("data.csv", 8000, seed: 1);
        var table = RawTable.Load(path, CsvOptions.Default);
        int[] all = [.. Enumerable.Range(0, table.RowCount)];
        int column = table.ColumnIndex("city");
        var counts = all.GroupBy(r => table.Value(r, column)).ToDictionary(g => g.Key, g => (long)g.Count());
        foreach (var limits in new[] { VocabularyLimits.Default, new VocabularyLimits(MaxSize: 40), new VocabularyLimits(MinCount: 5), new VocabularyLimits(MaxSize: 30, MinCount: 3) })
        {
            var inMemory = TabularEncoder.Fit(table, Schema, all, limits).Preprocessing;
            using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 900);
            var streamed = StreamingFit.Run(source, Schema, split: null, limits).Encoder.Preprocessing;
            Assert.Equal(limits, inMemory.VocabularyLimits);
            Assert.Equal(limits, streamed.VocabularyLimits);
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(inMemory.Categorical[i].Levels, streamed.Categorical[i].Levels);
                Assert.Equal(inMemory.Categorical[i].Unknown, streamed.Categorical[i].Unknown);
            }

            // Against a direct count: the values not kept, and the rows that hold them.
            var city = inMemory.Categorical[0];
            var dropped = counts.Keys.Except(city.Levels).ToList();
            Assert.Equal(new UnknownValues(dropped.Count, dropped.Sum(v => counts[v]), Exact: true), city.Unknown);
            Assert.True(city.Levels.Count <= limits.MaxSize && city.Levels.All(level => counts[level] >= limits.MinCount));
        }
        Assert.Equal(new UnknownValues(0, 0), TabularEncoder.Fit(table, Schema, all).Preprocessing.Categorical[1].Unknown);
        Assert.True(counts.Count > 100, $"{counts.Count} cities");

        // A count with too little room (a column of more distinct values than VocabularyLimits.CounterCapacity) forgets values:
        // the frequent ones stay, and what went to unknown is marked approximate.
        var counter = new VocabularyCounter(capacity: 8);
        for (int i = 0; i < 20_000; i++) counter.Add(i % 4 == 0 ? "rare" + i : (i % 4) switch { 1 => "a", 2 => "b", _ => "c" }, i);
        var pruned = counter.Choose("v", new VocabularyLimits(MaxSize: 4, MinCount: 100));
        Assert.Equal(["a", "b", "c"], pruned.Levels);
        Assert.False(pruned.Unknown!.Exact);
        Assert.Contains("approximate", string.Join("\n", new TabularPreprocessing(Schema, [], [pruned]).DescribeVocabularies()));
        Assert.Equal(200_000, new VocabularyLimits(MaxSize: 25).CounterCapacity);
    }

    // The printed vocabulary lines (comments after the schema).
    private static string[] VocabularyLines(string output) => [.. output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("# Vocabularies", StringComparison.Ordinal) || l.StartsWith("# city:", StringComparison.Ordinal) || l.StartsWith("# colour:", StringComparison.Ordinal))];

    [Fact]
    public void The_flags_reach_training_in_memory_and_streamed_and_inspect_shows_them()
    {
        string train = WriteData("train.csv", 3000, seed: 2), validation = WriteData("validation.csv", 400, seed: 3), test = WriteData("test.csv", 400, seed: 4);
        string[] common = ["train", "--train", train, "--validation", validation, "--test", test, "--task", "y:y:1", "--categorical", "city", "--epochs", "1", "--model", "mmoe",
            "--max-vocabulary", "25", "--min-count", "4"];
        var (code, output, error) = Run([.. common, "--out", PathOf("memory")]);
        Assert.True(code == 0, error);
        var (streamCode, streamOutput, streamError) = Run([.. common, "--stream", "--out", PathOf("stream")]);
        Assert.True(streamCode == 0, streamError);

        // Every training row fits the encoder in both runs: the same vocabularies, the same values to unknown.
        var lines = VocabularyLines(output);
        Assert.Equal(3, lines.Length);
        Assert.Equal("# Vocabularies (at most 25 levels a column, each seen in at least 4 training rows; other values encode as unknown):", lines[0]);
        Assert.Matches(@"^# city: 25 levels; [\d,]+ values in [\d,]+ training rows to unknown$", lines[1]);
        Assert.Equal("# colour: 4 levels; none to unknown", lines[2]);
        Assert.Equal(lines, VocabularyLines(streamOutput));

        var (inspectCode, inspected, inspectError) = Run("inspect", "--model", PathOf("stream"));
        Assert.True(inspectCode == 0, inspectError);
        Assert.Equal(lines, VocabularyLines(inspected));
        Assert.Contains("\"max_size\": 25", File.ReadAllText(Path.Combine(PathOf("stream"), "config.json")));
    }

    [Fact]
    public void Bad_or_useless_vocabulary_flags_are_refused_or_noted()
    {
        string data = WriteData("data.csv", 600, seed: 5);
        foreach (var (flag, value) in new[] { ("--max-vocabulary", "0"), ("--min-count", "-2"), ("--min-count", "two") })
        {
            var (code, _, error) = Run("train", "--data", data, "--task", "y:y:1", flag, value, "--out", PathOf("m"));
            Assert.Equal(1, code);
            Assert.Contains(flag, error);
        }
        Assert.Contains("--max-vocabulary and --min-count apply to tabular data only", Run("train", "--data", "synthetic", "--min-count", "3", "--out", PathOf("m")).Error);

        // Only numeric inputs: the flags change nothing, and the run says so.
        string numeric = PathOf("numeric.csv");
        File.WriteAllLines(numeric, ["x,y", .. Enumerable.Range(0, 300).Select(i => string.Create(CultureInfo.InvariantCulture, $"{i * 0.37 % 1:R},{i % 2}"))]);
        var (numericCode, numericOutput, numericError) = Run("train", "--data", numeric, "--task", "y:y:1", "--numeric", "x", "--max-vocabulary", "5", "--epochs", "1", "--out", PathOf("n"));
        Assert.True(numericCode == 0, numericError);
        Assert.Contains("note: --max-vocabulary and --min-count change nothing here: the data has no categorical input.", numericOutput);
    }
}
