using System.Text;

namespace Snr.Tests.Tabular;

public sealed class CsvTests() : TempFolderTests("snr-csv-")
{
    private string Write(string name, string text)
    {
        string path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static readonly TaskSpec[] Tasks = [new("buys", "label", TaskKind.Binary, ["yes"], ["no"]), new("spend", "amount", TaskKind.Regression)];

    [Fact]
    public void Quoted_fields_hold_delimiters_quotes_and_newlines()
    {
        string path = Write("q.csv", "a,b,c\n1,\"x, \"\"y\"\"\",3\n2,\"multi\nline\",4\n");
        var table = RawTable.Load(path, CsvOptions.Default);
        Assert.Equal(["a", "b", "c"], table.ColumnNames);
        Assert.Equal(2, table.RowCount);
        Assert.Equal("x, \"y\"", table.Value(0, 1));
        Assert.Equal("multi\nline", table.Value(1, 1));
        Assert.Equal(3, table.Line(1));
    }

    [Fact]
    public void A_row_with_the_wrong_number_of_fields_names_file_and_line()
    {
        string path = Write("bad.csv", "a,b\n1,2\n3\n");
        var error = Assert.Throws<CsvFormatException>(() => RawTable.Load(path, CsvOptions.Default));
        Assert.Equal(3, error.Line);
        Assert.Contains("bad.csv:3:", error.Message);
        Assert.Contains("expected 2 fields but found 1", error.Message);
    }

    [Fact]
    public void Empty_and_header_only_files_are_refused()
    {
        Assert.Contains("empty", Assert.Throws<CsvFormatException>(() => RawTable.Load(Write("e.csv", ""), CsvOptions.Default)).Message);
        Assert.Contains("no data rows", Assert.Throws<CsvFormatException>(() => RawTable.Load(Write("h.csv", "a,b\n"), CsvOptions.Default)).Message);
    }

    [Fact]
    public void Invalid_utf8_is_refused_with_its_line()
    {
        string path = PathOf("latin1.csv");
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes("a,b\n1,2\n3,"), 0xE9, 0xFF, (byte)'\n']);
        var error = Assert.Throws<CsvFormatException>(() => RawTable.Load(path, CsvOptions.Default));
        Assert.Contains("UTF-8", error.Message);
    }

    [Fact]
    public void A_non_numeric_value_in_a_numeric_column_names_line_and_column()
    {
        string path = Write("n.csv", "x,color,label,amount\n1.5,red,yes,3\n2.5,blue,no,4\noops,red,no,5\n");
        var table = RawTable.Load(path, CsvOptions.Default);
        var schema = new TabularSchema([new("x", ColumnKind.Numeric), new("color", ColumnKind.Categorical), new("label", ColumnKind.Categorical), new("amount", ColumnKind.Numeric)], Tasks);
        var error = Assert.Throws<CsvFormatException>(() => TabularEncoder.Fit(table, schema, [0, 1, 2]));
        Assert.Equal((4L, 1), (error.Line, error.Column));
        Assert.Contains("'oops' is not a number", error.Message);
    }

    [Fact]
    public void An_unknown_label_value_is_refused()
    {
        string path = Write("l.csv", "x,label,amount\n1,yes,3\n2,maybe,4\n");
        var table = RawTable.Load(path, CsvOptions.Default);
        var schema = new TabularSchema([new("x", ColumnKind.Numeric), new("label", ColumnKind.Categorical), new("amount", ColumnKind.Numeric)], Tasks);
        var encoder = TabularEncoder.Fit(table, schema, [0, 1]);
        var error = Assert.Throws<CsvFormatException>(() => encoder.Encode(table, [0, 1]));
        Assert.Equal((3L, 3), (error.Line, error.Column));
        Assert.Contains("'maybe'", error.Message);
    }

    [Fact]
    public void Encoding_standardises_with_training_statistics_and_maps_unseen_levels_to_unknown()
    {
        string path = Write("d.csv", "x,color,id,label,amount\n1,red,a,yes,3\n3,blue,b,no,4\n?,?,c,no,5\n100,green,d,yes,6\n");
        var table = RawTable.Load(path, CsvOptions.Default);
        var schema = new TabularSchema([new("x", ColumnKind.Numeric), new("color", ColumnKind.Categorical), new("id", ColumnKind.Ignored),
            new("label", ColumnKind.Categorical), new("amount", ColumnKind.Numeric)], Tasks);
        var encoder = TabularEncoder.Fit(table, schema, [0, 1, 2]); // row 3 (green, 100) is not training data
        Assert.Equal(new NumericColumnStats("x", 2f, 1f), encoder.Preprocessing.Numeric.Single());
        Assert.Equal(["red", "blue", "?"], encoder.Preprocessing.Categorical.Single().Levels);

        var encoded = encoder.Encode(table, [0, 1, 2, 3]);
        Assert.Equal([-1f, 1f, 0f, 98f], encoded.Numeric);       // missing → training mean → 0
        Assert.Equal([1, 2, 3, 0], encoded.Categorical);          // unseen "green" → unknown slot 0
        Assert.Equal([1f, 0f, 0f, 1f], encoded.Labels[0]);
        Assert.Equal([3f, 4f, 5f, 6f], encoded.Labels[1]);

        Span<float> numeric = stackalloc float[1];
        Span<int> categorical = stackalloc int[1];
        encoder.EncodeRow(name => name == "x" ? "4" : name == "color" ? "blue" : null, numeric, categorical);
        Assert.Equal(2f, numeric[0]);
        Assert.Equal(2, categorical[0]);
    }

    [Fact]
    public void Schema_inference_and_validation()
    {
        var sb = new StringBuilder("n,code,label,amount\n");
        for (int i = 0; i < 40; i++) sb.Append($"{i * 0.5},{i % 3},{(i % 2 == 0 ? "yes" : "no")},{i}\n");
        var table = RawTable.Load(Write("i.csv", sb.ToString()), CsvOptions.Default);
        var schema = TabularSchema.Infer(table, Tasks);
        Assert.Equal([ColumnKind.Numeric, ColumnKind.Categorical], schema.Inputs(ColumnKind.Numeric).Concat(schema.Inputs(ColumnKind.Categorical)).Select(c => c.Kind));
        Assert.Contains("label: label of task 'buys'", schema.Describe());
        var bad = schema with { Tasks = [new TaskSpec("t", "nope", TaskKind.Regression)] };
        Assert.Contains("Schema.Tasks['t'].Column", Assert.Throws<ArgumentException>(bad.Validate).Message);
    }

    [Fact]
    public void Split_is_seeded_disjoint_and_complete()
    {
        var a = DataSplit.Shuffled(1000, seed: 7);
        var b = DataSplit.Shuffled(1000, seed: 7);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal((700, 100, 200), (a.Train.Length, a.Validation.Length, a.Test.Length));
        Assert.Equal(Enumerable.Range(0, 1000), a.Train.Concat(a.Validation).Concat(a.Test).Order());
        Assert.NotEqual(a.Train, DataSplit.Shuffled(1000, seed: 8).Train);
    }
}
