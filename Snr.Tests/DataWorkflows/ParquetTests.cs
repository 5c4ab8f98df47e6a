using System.Globalization;
using Parquet;
using Parquet.Schema;
using Snr.Data.Parquet;

namespace Snr.Tests.DataWorkflows;

/// <summary>Issue 16, Parquet in and out: train, eval and predict read Parquet as they read CSV; predict writes Parquet by extension.</summary>
public sealed class ParquetTests() : TempFolderTests("snr-parquet-")
{
    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SnrCli.Run(args, output, error, interactive: false);
        return (code, output.ToString(), error.ToString());
    }

    // The Adult-like rows as Parquet: age and hours int32, the rest strings; "?" written as null.
    private async Task<string> WriteAdultParquet(string name, IReadOnlyList<string> rows)
    {
        var cells = rows.Select(r => r.Split(',')).ToArray();
        var age = new DataField<int>("age");
        var workclass = new DataField<string>("workclass");
        var hours = new DataField<int>("hours");
        var sex = new DataField<string>("sex");
        var income = new DataField<string>("income");
        string path = PathOf(name);
        await using (var stream = File.Create(path))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(age, workclass, hours, sex, income), stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<int>(age, cells.Select(c => int.Parse(c[0], CultureInfo.InvariantCulture)).ToArray().AsMemory());
            await group.WriteAsync(workclass, cells.Select(c => c[1] == "?" ? null : c[1]).ToArray());
            await group.WriteAsync<int>(hours, cells.Select(c => int.Parse(c[2], CultureInfo.InvariantCulture)).ToArray().AsMemory());
            await group.WriteAsync(sex, cells.Select(c => c[3]).ToArray());
            await group.WriteAsync(income, cells.Select(c => c[4]).ToArray());
        }
        return path;
    }

    [Fact]
    public async Task A_parquet_file_reads_as_the_same_csv_file_does_with_nulls_as_missing()
    {
        var rows = AdultLikeCsv.Rows();
        var csv = RawTable.Load(AdultLikeCsv.Write(PathOf("adult.csv"), rows), CsvOptions.Default);
        var (parquet, kinds) = ParquetTable.Load(await WriteAdultParquet("adult.parquet", rows));
        Assert.Equal(csv.ColumnNames, parquet.ColumnNames);
        Assert.Equal(csv.RowCount, parquet.RowCount);
        for (int r = 0; r < csv.RowCount; r++)
            for (int c = 0; c < csv.ColumnNames.Count; c++)
                Assert.True(TabularSchema.IsMissing(csv.Value(r, c)) ? TabularSchema.IsMissing(parquet.Value(r, c)) : csv.Value(r, c) == parquet.Value(r, c), $"row {r}, column {c}");
        Assert.Equal(ColumnKind.Numeric, kinds["age"]);
        Assert.Equal(ColumnKind.Categorical, kinds["workclass"]);
    }

    [Fact]
    public async Task Train_eval_and_predict_take_parquet_and_predictions_round_trip_through_parquet()
    {
        string data = await WriteAdultParquet("adult.parquet", AdultLikeCsv.Rows());
        string model = PathOf("model");
        var (code, output, error) = Run("train", "--data", data, "--task", "income:income:>50K", "--epochs", "1", "--out", model);
        Assert.True(code == 0, error);
        Assert.Contains("age: Numeric", output);
        var (evalCode, evalOutput, evalError) = Run("eval", "--model", model, "--data", data);
        Assert.True(evalCode == 0, evalError);
        Assert.Contains("test split, 80 of 400 rows", System.Text.RegularExpressions.Regex.Replace(evalOutput, @"\s+", " "));

        string input = await WriteAdultParquet("input.parquet", AdultLikeCsv.Rows(30));
        var (csvCode, _, csvError) = Run("predict", "--model", model, "--input", input, "--output", PathOf("scores.csv"));
        Assert.True(csvCode == 0, csvError);
        var (parquetCode, _, parquetError) = Run("predict", "--model", model, "--input", input, "--output", PathOf("scores.parquet"));
        Assert.True(parquetCode == 0, parquetError);

        var fromCsv = RawTable.Load(PathOf("scores.csv"), CsvOptions.Default);
        var (fromParquet, kinds) = ParquetTable.Load(PathOf("scores.parquet"));
        Assert.Equal(["row", "income"], fromParquet.ColumnNames);
        Assert.Equal(ColumnKind.Numeric, kinds["income"]);
        Assert.Equal(30, fromParquet.RowCount);
        for (int r = 0; r < 30; r++)
        {
            Assert.Equal(fromCsv.Value(r, 0), fromParquet.Value(r, 0));
            Assert.Equal(float.Parse(fromCsv.Value(r, 1), CultureInfo.InvariantCulture), float.Parse(fromParquet.Value(r, 1), CultureInfo.InvariantCulture), 1e-6f);
        }
    }

    [Fact]
    public async Task Malformed_parquet_files_are_refused_with_file_row_and_column()
    {
        File.WriteAllText(PathOf("text.parquet"), "age,income\n1,x\n");
        var notParquet = Assert.Throws<CsvFormatException>(() => ParquetTable.Load(PathOf("text.parquet")));
        Assert.Contains("text.parquet", notParquet.Message);
        Assert.Contains("not a readable Parquet file", notParquet.Message);

        // A column of a type Snr does not read is named.
        var when = new DataField<DateTime>("when");
        var label = new DataField<string>("y");
        await using (var stream = File.Create(PathOf("dates.parquet")))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(when, label), stream);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync<DateTime>(when, new[] { DateTime.UnixEpoch }.AsMemory());
            await group.WriteAsync(label, new[] { "a" });
        }
        var dates = Assert.Throws<CsvFormatException>(() => ParquetTable.Load(PathOf("dates.parquet")));
        Assert.Contains("dates.parquet:0:1", dates.Message);
        Assert.Contains("'when'", dates.Message);

        // A value that is not a number in a column declared numeric: file, row and column.
        var rows = AdultLikeCsv.Rows();
        // Column sex holds numbers as strings, except in data row 11.
        string data = await WriteAdultParquet("bad.parquet", rows.Select((r, i) => r.Replace(",Female,", ",2,").Replace(",Male,", i == 10 ? ",12x," : ",1,")).ToList());
        var (code, _, error) = Run("train", "--data", data, "--task", "income:income:>50K", "--numeric", "sex", "--epochs", "1", "--out", PathOf("m"));
        Assert.Equal(1, code);
        Assert.Contains("bad.parquet:11:4", error);
        Assert.Contains("'12x' is not a number", error);
    }
}
