using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;

// Writes a generated table for the streaming benchmark (scripts/stream-benchmark.sh): two binary
// labels (click, and buy which needs a click), 24 numeric and 14 categorical columns, as CSV and/or
// Parquet (the same texts: a number is written as the shortest text that reads back as its float).
// Rows come in blocks with their own seeded random streams, so the first N rows of a longer file
// equal a file of N rows with the same seed; a block is one Parquet row group.
//
// --strings dictionary writes the Parquet string columns dictionary-encoded (as pyarrow and Spark do by default);
// plain (the default) leaves Parquet.Net's own choice. --compression picks the Parquet codec (Snappy, Parquet.Net's
// default, unless told).
//
//   RowGenerator --rows 10000000 [--seed 1] [--block 100000] [--csv FILE] [--parquet FILE] [--strings plain|dictionary]
//                [--compression none|snappy|gzip|zstd|lz4raw]
var options = Options.Parse(args);
var started = System.Diagnostics.Stopwatch.StartNew();
using var csv = options.Csv is null ? null : new FileStream(options.Csv, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
using var parquetStream = options.Parquet is null ? null : new FileStream(options.Parquet, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
var parquetOptions = new ParquetOptions { CompressionMethod = options.Compression };
if (options.DictionaryStrings)
    foreach (var field in Table.ParquetSchema.DataFields.Skip(2 + Table.Numerics)) parquetOptions.ColumnEncodingHints[field.Path.ToString()] = EncodingHint.Dictionary;
var parquet = parquetStream is null ? null : await ParquetWriter.CreateAsync(Table.ParquetSchema, parquetStream, parquetOptions);
csv?.Write(Encoding.ASCII.GetBytes(string.Join(',', Table.ColumnNames) + "\n"));
var text = new byte[options.Block * Table.MaxRowBytes];
for (long first = 0; first < options.Rows; first += options.Block)
{
    var block = Table.Generate(options.Seed, first / options.Block, (int)Math.Min(options.Block, options.Rows - first));
    // The CSV text and the Parquet row group are written on the two cores at once.
    var writeCsv = csv is null ? Task.CompletedTask : Task.Run(() => csv.Write(text, 0, block.WriteCsv(text)));
    if (parquet is not null) await block.WriteRowGroup(parquet);
    await writeCsv;
}
if (parquet is not null) await parquet.DisposeAsync();
Console.Error.WriteLine($"{options.Rows:N0} rows × {Table.ColumnNames.Length} columns in {started.Elapsed.TotalSeconds:F1} s");

sealed record Options(long Rows, ulong Seed, int Block, string? Csv, string? Parquet, bool DictionaryStrings, CompressionMethod Compression)
{
    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>();
        for (int i = 0; i + 1 < args.Length; i += 2) values[args[i]] = args[i + 1];
        if (args.Length % 2 != 0 || !values.ContainsKey("--rows") || values.Keys.Any(k => k is not ("--rows" or "--seed" or "--block" or "--csv" or "--parquet" or "--strings" or "--compression"))
            || values.GetValueOrDefault("--strings", "plain") is not ("plain" or "dictionary")
            || !Codecs.ContainsKey(values.GetValueOrDefault("--compression", "snappy")))
            throw new ArgumentException("usage: RowGenerator --rows N [--seed S] [--block ROWS] [--csv FILE] [--parquet FILE] [--strings plain|dictionary] [--compression none|snappy|gzip|zstd|lz4raw]");
        return new Options(long.Parse(values["--rows"], CultureInfo.InvariantCulture),
            values.TryGetValue("--seed", out var seed) ? ulong.Parse(seed, CultureInfo.InvariantCulture) : 1,
            values.TryGetValue("--block", out var block) ? int.Parse(block, CultureInfo.InvariantCulture) : 100_000,
            values.GetValueOrDefault("--csv"), values.GetValueOrDefault("--parquet"), values.GetValueOrDefault("--strings") == "dictionary",
            Codecs[values.GetValueOrDefault("--compression", "snappy")]);
    }

    private static readonly Dictionary<string, CompressionMethod> Codecs = new()
    {
        ["none"] = CompressionMethod.None, ["snappy"] = CompressionMethod.Snappy, ["gzip"] = CompressionMethod.Gzip,
        ["zstd"] = CompressionMethod.Zstd, ["lz4raw"] = CompressionMethod.Lz4Raw,
    };
}

// One block of rows, column by column.
sealed class Table
{
    public const int Numerics = 24, Categoricals = 14;
    public const int MaxRowBytes = 2 * 2 + Numerics * 16 + Categoricals * 8;

    // Levels per categorical column: a few small columns, some hundreds, one of 5,000.
    private static readonly int[] s_cardinalities = [2, 3, 4, 5, 7, 10, 12, 20, 50, 100, 200, 500, 1000, 5000];
    private static readonly string[][] s_levels = [.. s_cardinalities.Select((n, c) => Enumerable.Range(0, n).Select(l => $"{(char)('a' + c)}{l}").ToArray())];
    private static readonly byte[][][] s_levelBytes = [.. s_levels.Select(column => column.Select(Encoding.ASCII.GetBytes).ToArray())];

    public static readonly string[] ColumnNames =
        ["click", "buy", .. Enumerable.Range(1, Numerics).Select(i => $"n{i:00}"), .. Enumerable.Range(1, Categoricals).Select(i => $"c{i:00}")];

    private static readonly DataField[] s_fields =
        [new DataField<int>("click"), new DataField<int>("buy"),
         .. Enumerable.Range(1, Numerics).Select(i => new DataField<float>($"n{i:00}")),
         .. Enumerable.Range(1, Categoricals).Select(i => new DataField<string>($"c{i:00}"))];

    public static readonly ParquetSchema ParquetSchema = new(s_fields);

    private readonly int _rows;
    private readonly int[] _click, _buy;
    private readonly float[][] _numeric;
    private readonly int[][] _codes;

    private Table(int rows)
    {
        _rows = rows;
        _click = new int[rows];
        _buy = new int[rows];
        _numeric = [.. Enumerable.Range(0, Numerics).Select(_ => new float[rows])];
        _codes = [.. Enumerable.Range(0, Categoricals).Select(_ => new int[rows])];
    }

    // The labels follow a logistic model of some inputs (a few numbers, an interaction, two
    // categorical effects), so a model has something to learn; the other columns are noise.
    public static Table Generate(ulong seed, long blockIndex, int rows)
    {
        var table = new Table(rows);
        var random = new SplitMix(seed * 0x9E3779B97F4A7C15UL + (ulong)blockIndex);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < Numerics; c++)
                table._numeric[c][r] = MathF.Round((float)(random.Gaussian() * (1 + c % 3) + c % 5), 2);
            for (int c = 0; c < Categoricals; c++)
                table._codes[c][r] = (int)(random.Next() % (ulong)s_cardinalities[c]);
            double z = 0.8 * table._numeric[0][r] - 0.5 * table._numeric[1][r] + 0.3 * table._numeric[2][r] * table._numeric[3][r]
                + (table._codes[3][r] - 2) * 0.4 + (table._codes[9][r] % 7 - 3) * 0.2 - 1.5;
            table._click[r] = random.Uniform() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
            double zBuy = 0.6 * table._numeric[4][r] + (table._codes[1][r] - 1) * 0.5 - 0.5;
            table._buy[r] = table._click[r] == 1 && random.Uniform() < 1 / (1 + Math.Exp(-zBuy)) ? 1 : 0;
        }
        return table;
    }

    // Writes the rows as CSV lines into `text`; returns the number of bytes.
    public int WriteCsv(byte[] text)
    {
        int at = 0;
        for (int r = 0; r < _rows; r++)
        {
            text[at++] = (byte)('0' + _click[r]);
            text[at++] = (byte)',';
            text[at++] = (byte)('0' + _buy[r]);
            for (int c = 0; c < Numerics; c++)
            {
                text[at++] = (byte)',';
                // The shortest round-trip text, as float.ToString() and the Parquet reader write it.
                if (!Utf8Formatter.TryFormat(_numeric[c][r], text.AsSpan(at), out int written))
                    throw new InvalidOperationException("a number did not fit its buffer");
                at += written;
            }
            for (int c = 0; c < Categoricals; c++)
            {
                text[at++] = (byte)',';
                byte[] level = s_levelBytes[c][_codes[c][r]];
                level.CopyTo(text, at);
                at += level.Length;
            }
            text[at++] = (byte)'\n';
        }
        return at;
    }

    public async Task WriteRowGroup(ParquetWriter writer)
    {
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<int>(s_fields[0], _click.AsMemory());
        await group.WriteAsync<int>(s_fields[1], _buy.AsMemory());
        for (int c = 0; c < Numerics; c++) await group.WriteAsync<float>(s_fields[2 + c], _numeric[c].AsMemory());
        for (int c = 0; c < Categoricals; c++)
        {
            var levels = s_levels[c];
            await group.WriteAsync(s_fields[2 + Numerics + c], _codes[c].Select(code => levels[code]).ToArray());
        }
    }
}

// SplitMix64: a small, fast, seedable generator (one stream per block).
struct SplitMix(ulong state)
{
    private ulong _state = state;

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public double Uniform() => (Next() >> 11) * (1.0 / (1UL << 53));

    // A standard normal value: the sum of four uniforms, rescaled (close enough for generated data, and fast).
    public double Gaussian() => (Uniform() + Uniform() + Uniform() + Uniform() - 2) * Math.Sqrt(3);
}
