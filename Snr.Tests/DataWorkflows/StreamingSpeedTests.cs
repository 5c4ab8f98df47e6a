using System.Globalization;
using System.Text;

namespace Snr.Tests.DataWorkflows;

/// <summary>
/// Issue 16, streaming speed: the roles a <see cref="ChunkEncoder"/> keeps between epochs are the
/// roles the split gives by hashing, and a chunk that comes back with other rows is hashed again.
/// </summary>
public sealed class StreamingSpeedTests() : TempFolderTests("snr-stream-speed-")
{
    private static readonly TaskSpec[] Tasks = [new("click", "click", TaskKind.Binary, ["1"])];

    private static TabularSchema Schema => new([new("x", ColumnKind.Numeric), new("city", ColumnKind.Categorical), new("click", ColumnKind.Categorical)], Tasks);

    private string WriteData(string name, int rows, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder("x,city,click\n");
        for (int i = 0; i < rows; i++)
            text.Append(CultureInfo.InvariantCulture, $"{random.NextDouble():R},c{random.Next(30)},{random.Next(2)}\n");
        string path = PathOf(name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    // Encodes every chunk of the source into blocks by role; the first numeric input of each row, per role.
    private static List<float>[] EncodeByRole(CsvChunkSource source, ChunkEncoder encoder)
    {
        var chunk = new RowChunk(source.Name, source.ColumnNames);
        EncodedRows[] blocks = [encoder.NewBlock(), encoder.NewBlock(), encoder.NewBlock()];
        var inputs = new List<float>[] { [], [], [] };
        for (int c = 0; source.TryReadChunk(c, chunk); c++)
        {
            foreach (var block in blocks) block.Clear();
            encoder.Encode(chunk, blocks[0], blocks[1], blocks[2]);
            for (int role = 0; role < 3; role++)
                for (int r = 0; r < blocks[role].Count; r++) inputs[role].Add(blocks[role].Numeric(r)[0]);
        }
        return inputs;
    }

    [Fact]
    public void The_kept_roles_are_the_hashed_roles_in_every_epoch()
    {
        string path = WriteData("data.csv", 3001, seed: 1);
        using var source = new CsvChunkSource(path, CsvOptions.Default, chunkRows: 250);
        var fit = StreamingFit.Run(source, Schema, new HashSplit(Seed: 4, Train: 0.6, Validation: 0.2));
        var encoder = new ChunkEncoder(fit.Encoder, path, source.ColumnNames, fit.Split);

        // Expected: each row's role hashed afresh (RoleOf), its input encoded in memory.
        var table = RawTable.Load(path, CsvOptions.Default);
        var encoded = fit.Encoder.Encode(table, [.. Enumerable.Range(0, table.RowCount)]);
        var expected = new List<float>[] { [], [], [] };
        var chunk = new RowChunk(path, source.ColumnNames);
        int rowInFile = 0;
        for (int c = 0; source.TryReadChunk(c, chunk); c++)
            for (int r = 0; r < chunk.RowCount; r++, rowInFile++)
                expected[(int)encoder.RoleOf(chunk, r)].Add(encoded.Numeric[rowInFile * encoded.NumericCount]);
        Assert.Equal(3001, rowInFile);
        Assert.All(expected, part => Assert.NotEmpty(part));

        var first = EncodeByRole(source, encoder);  // roles hashed and kept
        var second = EncodeByRole(source, encoder); // roles from the cache
        for (int role = 0; role < 3; role++)
        {
            Assert.Equal(expected[role], first[role]);
            Assert.Equal(expected[role], second[role]);
        }
    }

    [Fact]
    public void A_chunk_that_comes_back_with_other_rows_is_hashed_again()
    {
        string small = WriteData("small.csv", 100, seed: 2), large = WriteData("large.csv", 400, seed: 3);
        using var smallSource = new CsvChunkSource(small, CsvOptions.Default, chunkRows: 1000);
        using var largeSource = new CsvChunkSource(large, CsvOptions.Default, chunkRows: 1000);
        var fit = StreamingFit.Run(smallSource, Schema, new HashSplit(Seed: 4, Train: 0.5, Validation: 0.25));
        var encoder = new ChunkEncoder(fit.Encoder, small, smallSource.ColumnNames, fit.Split);
        var fresh = new ChunkEncoder(fit.Encoder, large, largeSource.ColumnNames, fit.Split);

        EncodeByRole(smallSource, encoder); // chunk 0 kept with 100 rows
        var afterChange = EncodeByRole(largeSource, encoder); // chunk 0 again, now 400 rows
        var expected = EncodeByRole(largeSource, fresh);
        for (int role = 0; role < 3; role++) Assert.Equal(expected[role], afterChange[role]);
        Assert.Equal(400, afterChange.Sum(part => part.Count));
    }
}
